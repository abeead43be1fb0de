import { statementNameFor } from './sql.js';

describe(statementNameFor.name, () => {
  it('names a text the same every time, and two texts apart', () => {
    const a = `SELECT 1 -- ${Math.random()}`;
    const b = `SELECT 2 -- ${Math.random()}`;
    const name = statementNameFor(a);
    expect(name).toMatch(/^built_\d+$/);
    expect(statementNameFor(`${a}`)).toBe(name);
    expect(statementNameFor(b)).not.toBe(name);
  });

  it('stops naming new texts past its limit (they then run unnamed), and keeps the names it gave', () => {
    const first = statementNameFor('SELECT 0 -- kept');
    for (let n = 0; n < 300; n++) statementNameFor(`SELECT ${n} -- filler`);
    expect(statementNameFor('SELECT 1 -- after the limit')).toBeUndefined();
    expect(statementNameFor('SELECT 0 -- kept')).toBe(first);
  });
});
