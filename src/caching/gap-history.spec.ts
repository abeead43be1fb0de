import { GapHistory } from './gap-history.js';

describe(GapHistory.name, () => {
  it('keeps each project’s newest 100 gaps, oldest first', () => {
    const history = new GapHistory();
    for (let gap = 1; gap <= 150; gap++) history.observe('proj_a', gap);
    history.observe('proj_b', 7);
    const kept = history.recent('proj_a');
    expect(kept).toHaveLength(100);
    expect(kept[0]).toBe(51);
    expect(kept.at(-1)).toBe(150);
    expect(history.recent('proj_b')).toEqual([7]);
    expect(history.recent('proj_c')).toEqual([]);
  });

  it('knows what share of a project’s new threads come back, once fifty have started', () => {
    const history = new GapHistory();
    for (let thread = 0; thread < 49; thread++) history.observeStart('proj_a');
    for (let thread = 0; thread < 10; thread++) history.observeContinued('proj_a');
    expect(history.continuation('proj_a')).toBeNull();
    history.observeStart('proj_a');
    expect(history.continuation('proj_a')).toBeCloseTo(10 / 50, 12);
    // A batch of one-off requests: 300 threads, none back. Past 200 the counts are halved, so the
    // share follows: 10 / 50 becomes 2.5 / 149.25 (both halved twice on the way).
    for (let thread = 0; thread < 300; thread++) history.observeStart('proj_a');
    expect(history.continuation('proj_a')).toBeCloseTo(2.5 / 149.25, 12);
    expect(history.continuation('proj_b')).toBeNull();
  });

  it('hands out a copy, and ignores gaps that are not durations', () => {
    const history = new GapHistory();
    history.observe('proj_a', 1_000);
    history.observe('proj_a', Number.NaN);
    history.observe('proj_a', -5);
    const copy = history.recent('proj_a');
    copy.push(9);
    expect(history.recent('proj_a')).toEqual([1_000]);
  });
});
