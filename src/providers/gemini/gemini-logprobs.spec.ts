import { convertGeminiLogprobs } from './gemini-logprobs.js';

describe(convertGeminiLogprobs.name, () => {
  it('pairs each chosen token with the top candidates of its decoding step, bytes from the token', () => {
    expect(
      convertGeminiLogprobs({
        chosenCandidates: [
          { token: 'Hi', tokenId: 1, logProbability: -0.25 },
          { token: ' ü', tokenId: 2, logProbability: -1.5 },
        ],
        topCandidates: [
          {
            candidates: [
              { token: 'Hi', tokenId: 1, logProbability: -0.25 },
              { token: 'Hey', tokenId: 3, logProbability: -2 },
            ],
          },
          { candidates: [{ token: ' ü', tokenId: 2, logProbability: -1.5 }] },
        ],
      }),
    ).toEqual([
      {
        token: 'Hi',
        logprob: -0.25,
        bytes: [72, 105],
        top_logprobs: [
          { token: 'Hi', logprob: -0.25, bytes: [72, 105] },
          { token: 'Hey', logprob: -2, bytes: [72, 101, 121] },
        ],
      },
      { token: ' ü', logprob: -1.5, bytes: [0x20, 0xc3, 0xbc], top_logprobs: [{ token: ' ü', logprob: -1.5, bytes: [0x20, 0xc3, 0xbc] }] },
    ]);
  });

  it('reads an absent logProbability as 0 (proto3 JSON leaves zeros out) and no topCandidates as no alternatives', () => {
    expect(convertGeminiLogprobs({ chosenCandidates: [{ token: 'OK', tokenId: 5 }] })).toEqual([
      { token: 'OK', logprob: 0, bytes: [79, 75], top_logprobs: [] },
    ]);
  });

  it('is empty for a result without chosen tokens', () => {
    expect(convertGeminiLogprobs({})).toEqual([]);
  });
});
