import { describe, expect, it } from 'vitest';
import { compileRowMapper } from '../../src/db/row-mapper.js';

/** A stand-in for a selected SQL expression with a decoder (drizzle's SQL objects carry one). */
const decoded = (fn: (v: unknown) => unknown) => ({ sql: { decoder: { mapFromDriverValue: fn } } });

describe('the compiled row mapper', () => {
  it("builds objects of the selection's shape, decoding non-null values only", () => {
    const double = decoded((v) => Number(v) * 2);
    const same = decoded((v) => v);
    const mapper = compileRowMapper([
      { path: ['id'], field: same },
      { path: ['owner', 'score'], field: double },
      { path: ['owner', 'name'], field: same },
    ]);
    expect(
      mapper([
        ['a', 2, 'Ada'],
        ['b', null, null],
      ]),
    ).toEqual([
      { id: 'a', owner: { score: 4, name: 'Ada' } },
      { id: 'b', owner: { score: null, name: null } },
    ]);
  });

  it('quotes property names it does not trust', () => {
    const same = decoded((v) => v);
    const mapper = compileRowMapper([
      { path: ['a"b'], field: same },
      { path: ['__proto__x'], field: same },
    ]);
    expect(mapper([[1, 2]])).toEqual([{ 'a"b': 1, __proto__x: 2 }]);
  });
});
