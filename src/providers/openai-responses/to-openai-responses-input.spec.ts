import { newMessageItem } from '../../../test/factories.js';
import type { Item, ReasoningItem } from '../../items/item.schemas.js';
import { convertToOpenAIResponsesInput, dropOrphanReasoning } from './to-openai-responses-input.js';

function reasoning(overrides: Partial<ReasoningItem> = {}): ReasoningItem {
  return {
    type: 'reasoning',
    id: 'rs_ours',
    summary: [],
    status: 'completed',
    provider_data: { openai: { id: 'rs_upstream', encrypted_content: 'enc_1' } },
    ...overrides,
  };
}

const call: Item = { type: 'function_call', id: 'fc_ours', call_id: 'call_1', name: 'f', arguments: '{}', status: 'completed' };
const assistant = newMessageItem({ id: 'msg_a', role: 'assistant', content: [{ type: 'output_text', text: 'ok', annotations: [], logprobs: [] }] });
const user = newMessageItem({ id: 'msg_u', text: 'next' });

describe(convertToOpenAIResponsesInput.name, () => {
  it('sends the client’s prompt_cache_breakpoint only to models that take explicit breakpoints', () => {
    const items: Item[] = [newMessageItem({ content: [{ type: 'input_text', text: 'stable', prompt_cache_breakpoint: { mode: 'explicit' } }] })];
    expect(convertToOpenAIResponsesInput(items, { cacheBreakpoints: true })[0]).toMatchObject({
      content: [{ type: 'input_text', text: 'stable', prompt_cache_breakpoint: { mode: 'explicit' } }],
    });
    expect(convertToOpenAIResponsesInput(items)[0]).toMatchObject({ content: [{ type: 'input_text', text: 'stable' }] });
    expect(JSON.stringify(convertToOpenAIResponsesInput(items))).not.toContain('prompt_cache_breakpoint');
  });

  it('never sends our ids or statuses', () => {
    const input = convertToOpenAIResponsesInput([
      user,
      reasoning(),
      call,
      { type: 'function_call_output', id: 'fco_ours', call_id: 'call_1', output: 'done', status: 'completed' },
      assistant,
    ]);
    expect(JSON.stringify(input)).not.toMatch(/"(msg|fc|fco)_|rs_ours|"status"/);
  });

  it('turns output parts outside assistant messages into input text, and keeps assistant parts as output', () => {
    const input = convertToOpenAIResponsesInput([
      newMessageItem({
        role: 'user',
        content: [
          { type: 'output_text', text: 'quoted answer', annotations: [], logprobs: [] },
          { type: 'refusal', refusal: 'quoted refusal' },
        ],
      }),
      newMessageItem({
        role: 'assistant',
        content: [
          { type: 'output_text', text: 'Hello', annotations: [{ type: 'url_citation', url: 'https://example.com' }], logprobs: [{ token: 'Hello' }] },
          { type: 'refusal', refusal: 'No.' },
        ],
      }),
    ]);
    expect(input).toEqual([
      {
        type: 'message',
        role: 'user',
        content: [
          { type: 'input_text', text: 'quoted answer' },
          { type: 'input_text', text: 'quoted refusal' },
        ],
      },
      {
        type: 'message',
        role: 'assistant',
        content: [
          // Logprobs of a past answer are not input.
          { type: 'output_text', text: 'Hello', annotations: [{ type: 'url_citation', url: 'https://example.com' }], logprobs: [] },
          { type: 'refusal', refusal: 'No.' },
        ],
      },
    ]);
  });

  it('drops null fields of image and file parts, in messages and in tool outputs', () => {
    const input = convertToOpenAIResponsesInput([
      newMessageItem({
        content: [
          { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', file_id: null, detail: 'high' },
          { type: 'input_file', file_id: 'file-1', filename: null, file_data: null, file_url: null },
        ],
      }),
      {
        type: 'function_call_output',
        id: 'fco_1',
        call_id: 'call_1',
        output: [
          { type: 'input_text', text: 'see image' },
          { type: 'input_image', image_url: null, file_id: 'file-2', detail: 'auto' },
        ],
        status: 'completed',
      },
    ]);
    expect(input).toEqual([
      {
        type: 'message',
        role: 'user',
        content: [
          { type: 'input_image', image_url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'high' },
          { type: 'input_file', file_id: 'file-1' },
        ],
      },
      {
        type: 'function_call_output',
        call_id: 'call_1',
        output: [
          { type: 'input_text', text: 'see image' },
          { type: 'input_image', file_id: 'file-2', detail: 'auto' },
        ],
      },
    ]);
  });

  it('sends system and developer messages with their role', () => {
    const input = convertToOpenAIResponsesInput([newMessageItem({ role: 'system', text: 's' }), newMessageItem({ role: 'developer', text: 'd' })]);
    expect(input.map((item) => (item.type === 'message' ? item.role : null))).toEqual(['system', 'developer']);
  });

  it('replays a reasoning item only with OpenAI encrypted content, under the upstream id', () => {
    const items: Item[] = [
      reasoning({ summary: [{ type: 'summary_text', text: 'thought' }] }),
      reasoning({ provider_data: undefined, encrypted_content: 'public copy, not ours to trust' }),
      reasoning({ provider_data: { anthropic: { signature: 'sig' } } }),
      reasoning({ provider_data: { openai: { id: 'rs_x' } } }),
      call,
    ];
    expect(convertToOpenAIResponsesInput(items)).toEqual([
      { type: 'reasoning', id: 'rs_upstream', summary: [{ type: 'summary_text', text: 'thought' }], encrypted_content: 'enc_1' },
      { type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{}' },
    ]);
  });
});

describe(dropOrphanReasoning.name, () => {
  const convert = (items: Item[]) => convertToOpenAIResponsesInput(items).map((item) => item.type + (item.type === 'message' ? `:${item.role}` : ''));

  it('keeps reasoning followed by what the model produced after it', () => {
    expect(convert([user, reasoning(), call])).toEqual(['message:user', 'reasoning', 'function_call']);
    expect(convert([user, reasoning(), assistant])).toEqual(['message:user', 'reasoning', 'message:assistant']);
    expect(convert([user, reasoning(), reasoning(), call])).toEqual(['message:user', 'reasoning', 'reasoning', 'function_call']);
  });

  it('drops reasoning with nothing of the model after it (a turn cut off after thinking)', () => {
    expect(convert([user, reasoning()])).toEqual(['message:user']);
    expect(convert([user, reasoning(), reasoning(), user])).toEqual(['message:user', 'message:user']);
    // The item after it was dropped itself (no encrypted content), so the first one is an orphan too.
    expect(convert([user, reasoning(), reasoning({ provider_data: undefined }), user])).toEqual(['message:user', 'message:user']);
  });
});
