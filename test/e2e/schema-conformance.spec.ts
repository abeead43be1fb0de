import { toPublicResponse, toResponseSettings } from '../../src/items/response-object.js';
import { checkReply, checkResponseObject, checkStreamEvent } from './schema-conformance.js';

// The e2e suite's schema check (reply-tap.ts) must be able to fail: each broken shape below is one
// the server could plausibly send, and each must be caught.

const response = toPublicResponse(
  {
    id: 'resp_1',
    status: 'completed',
    model: 'openai/gpt-5',
    previousResponseId: null,
    conversationId: null,
    settings: toResponseSettings({ model: 'openai/gpt-5', input: 'Hi', tools: [{ type: 'function', name: 'f', parameters: { type: 'object' } }] }),
    metadata: {},
    usage: {
      input_tokens: 3,
      input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
      output_tokens: 2,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 5,
    },
    error: null,
    incompleteDetails: null,
    background: false,
    createdAt: new Date(1_700_000_000_000),
    completedAt: new Date(1_700_000_001_000),
  },
  [{ type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'Hello.', annotations: [], logprobs: [] }] }],
);

const problemsOf = (value: unknown) => {
  const problems: string[] = [];
  checkResponseObject(value, problems);
  return problems;
};

describe('the e2e schema check', () => {
  it('passes a Response the server renders', () => {
    expect(problemsOf(response)).toEqual([]);
  });

  it.each([
    ['a missing required key', { ...response, tools: undefined }, /must have required property 'tools'/],
    ['null where the default applied', { ...response, temperature: null }, /openresponses ResponseResource: \/temperature must be number/],
    ['a status outside the enum', { ...response, status: 'done' }, /\/status must be equal to one of the allowed values/],
    [
      'a function tool without strict',
      { ...response, tools: [{ type: 'function', name: 'f', parameters: {} }] },
      /\/tools\/0 must have required property 'strict'/,
    ],
    ['an output item without its content', { ...response, output: [{ type: 'message', id: 'msg_1', role: 'assistant', status: 'completed' }] }, /\/output\/0/],
  ])('fails %s', (_name, broken, message) => {
    expect(problemsOf(broken).join('\n')).toMatch(message);
  });

  it('checks stream events by their type, and refuses a type the spec does not have', () => {
    const problems: string[] = [];
    checkStreamEvent(
      { type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'Hi', logprobs: [], sequence_number: 3 },
      problems,
    );
    expect(problems).toEqual([]);
    checkStreamEvent({ type: 'response.output_text.delta', item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'Hi', sequence_number: '3' }, problems);
    expect(problems.join('\n')).toMatch(/sequence_number must be integer/);
    checkStreamEvent({ type: 'response.text.delta', delta: 'Hi' }, problems);
    expect(problems.at(-1)).toMatch(/"response.text.delta" is not an event type of the OpenAI spec/);
  });

  it('checks that every error is the OpenAI envelope with its four keys', () => {
    const error = (body: unknown) =>
      checkReply({ method: 'POST', route: '/v1/responses', status: 400, contentType: 'application/json', body: JSON.stringify(body) });
    expect(error({ error: { message: 'bad', type: 'invalid_request_error', param: 'input', code: null } })).toEqual([]);
    expect(error({ error: { message: 'bad', type: 'invalid_request_error', code: null } }).join('')).toMatch(/must have required property 'param'/);
    expect(error({ statusCode: 400, message: 'bad' }).join('')).toMatch(/not OpenAI's error envelope/);
  });

  it('checks a list page against the route it came from', () => {
    const page = (data: unknown[]) =>
      checkReply({
        method: 'GET',
        route: '/v1/conversations/:id/items',
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify({ object: 'list', data, first_id: null, last_id: null, has_more: false }),
      });
    expect(page([])).toEqual([]);
    expect(page([{ type: 'message', role: 'user' }]).join('')).toMatch(/ConversationItemList: \/data\/0/);
  });
});
