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
