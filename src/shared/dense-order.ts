import { type SQL, and, count, gt, gte, lt, lte, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Tx } from '../db/client.js';

/**
 * Dense 0..n-1 positions (a `position` column) of rows inside a scope (an owner's projects, a project's sections). The
 * caller holds a lock that serialises changes to the scope.
 */
export class DenseOrder {
  constructor(
    private readonly table: PgTable,
    private readonly position: PgColumn,
  ) {}

  /** The position a new row takes: the end. */
  async next(tx: Tx, scope: SQL): Promise<number> {
    const [row] = await tx.select({ n: count() }).from(this.table).where(scope);
    return Number(row?.n ?? 0);
  }

  /** Makes room for a row moving from `from` to `target` (clamped to the end); returns its new place. */
  async move(tx: Tx, scope: SQL, from: number, target: number): Promise<number> {
    const to = Math.max(0, Math.min(target, (await this.next(tx, scope)) - 1));
    const p = this.position;
    if (to < from)
      await tx
        .update(this.table)
        .set({ position: sql`${p} + 1` })
        .where(and(scope, gte(p, to), lt(p, from)));
    else if (to > from)
      await tx
        .update(this.table)
        .set({ position: sql`${p} - 1` })
        .where(and(scope, gt(p, from), lte(p, to)));
    return to;
  }

  /** Closes the gap a removed row left at `from`. */
  async close(tx: Tx, scope: SQL, from: number): Promise<void> {
    const p = this.position;
    await tx
      .update(this.table)
      .set({ position: sql`${p} - 1` })
      .where(and(scope, gt(p, from)));
  }
}
