import { ApiError } from '../common/api-error.js';
import { checkDuplicateIds } from './check-duplicate-ids.js';

function refusal(run: () => void): { message: string; param: string | null } {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return { message: error.message, param: error.param };
    throw error;
  }
  throw new Error('not refused');
}

describe('checkDuplicateIds', () => {
  it("refuses an id twice in one input, in OpenAI's words, naming the second", () => {
    expect(refusal(() => checkDuplicateIds([{ id: 'msg_1' }, { id: 'fc_1' }, { id: 'msg_1' }], new Set(), 'input'))).toEqual({
      message: 'Duplicate item found with id msg_1. Remove duplicate items from your input and try again.',
      param: 'input[2].id',
    });
  });

  it('refuses an id the history already holds', () => {
    expect(refusal(() => checkDuplicateIds([{ id: 'msg_new' }, { id: 'rs_1' }], new Set(['rs_1', 'msg_0']), 'items')).param).toBe('items[1].id');
  });

  it('takes distinct ids and items without one', () => {
    expect(() => checkDuplicateIds([{ id: 'msg_1' }, {}, { id: null }, { id: 'msg_2' }], new Set(['msg_0']), 'input')).not.toThrow();
  });
});
