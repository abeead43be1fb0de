import { ApiError } from '../common/api-error.js';
import { parseConversationListQuery } from './admin-conversations.controller.js';

const failure = (query: Record<string, unknown>) => {
  try {
    parseConversationListQuery(query);
    return null;
  } catch (error) {
    return error as ApiError;
  }
};

describe(parseConversationListQuery.name, () => {
  it('keeps a metadata filter on `__proto__` as a key of its own, not the object’s prototype', () => {
    const { metadata } = parseConversationListQuery({ 'metadata[__proto__]': 'x', 'metadata[toString]': 'y' }).filter;
    expect(Object.entries(metadata ?? {})).toEqual([
      ['__proto__', 'x'],
      ['toString', 'y'],
    ]);
  });

  it('defaults to the newest 20 live conversations of every project', () => {
    expect(parseConversationListQuery({})).toEqual({
      filter: {
        projectId: undefined,
        createdAfter: undefined,
        createdBefore: undefined,
        updatedAfter: undefined,
        updatedBefore: undefined,
        metadata: {},
        model: undefined,
        hasFailedResponses: undefined,
        includeDeleted: false,
      },
      limit: 20,
      order: 'desc',
      after: undefined,
    });
  });

  it('reads metadata[key] params (Fastify leaves the brackets in the name), times in seconds and spelled-out booleans', () => {
    const { filter, limit, order, after } = parseConversationListQuery({
      'metadata[team]': 'red',
      'metadata[a[b]]': 'x',
      created_after: '100',
      updated_before: '200',
      has_failed_responses: 'false',
      include_deleted: 'true',
      model: 'vllm/qwen3-8b',
      limit: '5',
      order: 'asc',
      after: 'conv_1',
    });
    expect(filter).toMatchObject({
      metadata: { team: 'red', 'a[b]': 'x' },
      createdAfter: new Date(100_000),
      updatedBefore: new Date(200_000),
      hasFailedResponses: false,
      includeDeleted: true,
      model: 'vllm/qwen3-8b',
    });
    expect({ limit, order, after }).toEqual({ limit: 5, order: 'asc', after: 'conv_1' });
  });

  it.each([
    [{ 'metadata[team]': ['a', 'b'] }, 'metadata[team]'],
    [{ 'metadata[]': 'x' }, 'metadata[]'],
    [{ metadata: 'x' }, 'metadata'],
    [{ created_after: '' }, 'created_after'],
    [{ created_after: '12abc' }, 'created_after'],
    [{ has_failed_responses: 'TRUE' }, 'has_failed_responses'],
    [{ created_after: '10', created_before: '10' }, 'created_before'],
    [{ limit: '' }, 'limit'],
  ])('refuses %j naming %s', (query, param) => {
    expect(failure(query)).toMatchObject({ status: 400, param });
  });

  it('refuses more metadata pairs than a conversation holds', () => {
    const query = Object.fromEntries(Array.from({ length: 17 }, (_, index) => [`metadata[k${index}]`, 'v']));
    expect(failure(query)).toMatchObject({ status: 400, param: 'metadata' });
  });
});
