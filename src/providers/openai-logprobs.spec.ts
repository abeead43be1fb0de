import { convertOpenAILogprobs, openAILogprobSchema } from './openai-logprobs.js';

describe(convertOpenAILogprobs.name, () => {
  it('keeps the server’s bytes and alternatives as they are', () => {
    const logprobs = [{ token: 'Hi', logprob: -0.5, bytes: [72, 105], top_logprobs: [{ token: 'Hi', logprob: -0.5, bytes: [72, 105] }] }];
    expect(convertOpenAILogprobs(logprobs)).toEqual(logprobs);
  });

  it('fills in UTF-8 bytes a server left null and an absent alternatives list', () => {
    expect(
      convertOpenAILogprobs([
        { token: 'é', logprob: -1, bytes: null, top_logprobs: [{ token: ' ü', logprob: -2 }] },
        { token: '!', logprob: 0 },
      ]),
    ).toEqual([
      { token: 'é', logprob: -1, bytes: [0xc3, 0xa9], top_logprobs: [{ token: ' ü', logprob: -2, bytes: [0x20, 0xc3, 0xbc] }] },
      { token: '!', logprob: 0, bytes: [0x21], top_logprobs: [] },
    ]);
  });

  it('is read by a schema that refuses a token without its log probability', () => {
    expect(openAILogprobSchema.safeParse({ token: 'x' }).success).toBe(false);
    expect(openAILogprobSchema.safeParse({ token: 'x', logprob: -1, bytes: [120], top_logprobs: [] }).success).toBe(true);
  });
});
