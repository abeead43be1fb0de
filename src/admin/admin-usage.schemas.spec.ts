import { ApiError } from '../common/api-error.js';
import { parseUsageQuery, toPublicTotals } from './admin-usage.schemas.js';

const failure = (query: Record<string, unknown>) => {
  try {
    parseUsageQuery(query);
    return null;
  } catch (error) {
    return error as ApiError;
  }
};

describe(parseUsageQuery.name, () => {
  it('groups by project and model unless told otherwise, either spelling of both', () => {
    expect(parseUsageQuery({ start_time: '10', end_time: '20' })).toEqual({
      range: { start: new Date(10_000), end: new Date(20_000) },
      projectId: undefined,
      groupBy: { project: true, model: true },
    });
    expect(parseUsageQuery({ start_time: '10', group_by: 'model,project' }).groupBy).toEqual({ project: true, model: true });
    expect(parseUsageQuery({ start_time: '10', group_by: 'model', project_id: 'p' })).toMatchObject({
      projectId: 'p',
      groupBy: { project: false, model: true },
    });
  });

  it('ends now, rounded up to a whole second, when end_time is left out', () => {
    const before = Date.now();
    const { end } = parseUsageQuery({ start_time: '0' }).range;
    expect(end.getTime() % 1000).toBe(0);
    expect(end.getTime()).toBeGreaterThanOrEqual(before);
    expect(end.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it.each([
    [{}, 'start_time'],
    [{ start_time: '' }, 'start_time'],
    [{ start_time: '10', end_time: '10' }, 'end_time'],
    [{ start_time: '10', group_by: 'project,project' }, 'group_by'],
    [{ start_time: '10', since: '5' }, 'since'],
  ])('refuses %j naming %s', (query, param) => {
    expect(failure(query)).toMatchObject({ status: 400, param });
  });
});

describe(toPublicTotals.name, () => {
  it('names the sums as the API shows them', () => {
    expect(
      toPublicTotals({
        responses: 2,
        inputTokens: 10,
        cachedTokens: 4,
        cacheWriteTokens: 3,
        outputTokens: 7,
        reasoningTokens: 2,
        costUsd: 0.5,
        cacheSavedUsd: -0.1,
      }),
    ).toEqual({
      responses: 2,
      input_tokens: 10,
      cached_tokens: 4,
      cache_write_tokens: 3,
      output_tokens: 7,
      reasoning_tokens: 2,
      cost_usd: 0.5,
      cache_saved_usd: -0.1,
    });
  });
});
