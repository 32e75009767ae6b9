import { describe, expect, it } from 'vitest';
import { cursorCast, decodeCursor, encodeCursor, pageRequest, toConnection } from '../../src/shared/pagination.js';

const ID = '00000000-0000-4000-8000-000000000001';

describe('cursors', () => {
  it('round-trip a sort value and an id', () => {
    for (const value of ['2026-01-01T00:00:00.000Z', 42, null] as const)
      expect(decodeCursor(encodeCursor([value, ID]))).toEqual([value, ID]);
  });

  it('refuse anything else as BAD_USER_INPUT on `after`', () => {
    const bad = [
      'not base64 json',
      encodeCursor(['x', 'not-a-uuid'] as never),
      Buffer.from('[1,2,3]').toString('base64url'),
      Buffer.from('{"a":1}').toString('base64url'),
      Buffer.from(`[{"x":1},"${ID}"]`).toString('base64url'),
    ];
    for (const cursor of bad)
      expect(() => decodeCursor(cursor), cursor).toThrow(
        expect.objectContaining({
          extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', fields: { after: 'Invalid cursor' } }),
        }),
      );
  });

  it('cast sort values by their column type and refuse the wrong type', () => {
    expect(() => cursorCast.timestamptz('2026-01-01T00:00:00.000Z')).not.toThrow();
    expect(() => cursorCast.timestamptz('yesterday')).toThrow();
    expect(() => cursorCast.timestamptz(5)).toThrow();
    expect(() => cursorCast.date('2026-02-28')).not.toThrow();
    expect(() => cursorCast.date('2026-13-01')).toThrow();
    expect(() => cursorCast.int(7)).not.toThrow();
    expect(() => cursorCast.int(2 ** 31)).toThrow();
    expect(() => cursorCast.int('7')).toThrow();
    expect(() => cursorCast.bigint(2 ** 53)).toThrow();
    expect(() => cursorCast.real(Number.NaN)).toThrow();
    expect(() => cursorCast.enumOf('task_priority', ['LOW', 'HIGH'])('LOW')).not.toThrow();
    expect(() => cursorCast.enumOf('task_priority', ['LOW', 'HIGH'])('low')).toThrow();
  });
});

describe('pages', () => {
  it('take first from 0 to 100, 20 by default', () => {
    expect(pageRequest(undefined, undefined)).toEqual({ limit: 20, after: null });
    expect(pageRequest(0, null).limit).toBe(0);
    expect(pageRequest(100, null).limit).toBe(100);
    for (const first of [-1, 101, 1.5])
      expect(() => pageRequest(first, null)).toThrow(
        expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }),
      );
  });

  it('turn limit + 1 rows into a page that knows whether another follows, counting only when asked', async () => {
    const rows = [1, 2, 3].map((n) => ({ n, id: ID }));
    let counted = 0;
    const page = toConnection(
      rows,
      { limit: 2, after: null },
      (r) => [r.n, r.id],
      async () => ++counted && 3,
    );
    expect(page.edges.map((e) => e.node.n)).toEqual([1, 2]);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(page.pageInfo.hasPreviousPage).toBe(false);
    expect(decodeCursor(page.pageInfo.endCursor!)).toEqual([2, ID]);
    expect(counted).toBe(0);
    expect(await page.totalCount).toBe(3);
    expect(await page.totalCount).toBe(3);
    expect(counted).toBe(1);
    const last = toConnection(rows.slice(0, 2), { limit: 2, after: [0, ID] }, (r) => [r.n, r.id], 2);
    expect(last.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });
});
