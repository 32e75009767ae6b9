import { type AnyColumn, type SQL, and, eq, getTableColumns, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Queryable } from '../db/client.js';
import {
  type Connection,
  type CursorValue,
  type PageRequest,
  type SortKey,
  countWhere,
  keysetAfter,
  keysetOrder,
  toConnection,
} from './pagination.js';

/**
 * The pages of many parents (the tasks of many lists, the tickets of many boards) in one statement,
 * or one page of a whole scope when `partitionBy` is null: window functions count each parent's
 * filtered set (totalCount) and number its rows after the cursor, so each parent gets its own
 * `limit + 1` rows without a query per parent. Keyed by the partition column's value (null: the
 * single page); a parent with no row after the cursor is absent.
 */
export async function windowPages<T>(
  q: Queryable,
  table: PgTable,
  where: SQL | undefined,
  sort: SortKey<T>,
  page: PageRequest,
  partitionBy: AnyColumn | null,
): Promise<Map<unknown, Connection<T>>> {
  const orderSql = sql.join(keysetOrder(sort.expr, sort.id, sort.dir), sql`, `);
  const past = keysetAfter(sort.expr, sort.id, sort.dir, page.after, sort.cast) ?? sql`true`;
  const partition = partitionBy ? sql`partition by ${partitionBy}` : sql``;
  const inner = q
    .select({
      ...getTableColumns(table),
      _total: sql<number>`count(*) over (${partition})`.as('_total'),
      _past: sql<boolean>`(${past})`.as('_past'),
      _n: sql<number>`count(*) filter (where ${past}) over (${partition} order by ${orderSql})`.as('_n'),
      _key: (partitionBy ? sql`${partitionBy}` : sql`null`).as('_key'),
    })
    .from(table)
    .where(where)
    .as('w');
  const rows = (await q
    .select()
    .from(inner)
    .where(and(eq(inner._past, true), sql`${inner._n} <= ${page.limit + 1}`))
    .orderBy(inner._key, inner._n)) as Array<Record<string, unknown>>;
  const groups = new Map<unknown, { rows: T[]; total: number }>();
  for (const { _total, _past, _n, _key, ...row } of rows) {
    const group = groups.get(_key) ?? { rows: [], total: Number(_total) };
    group.rows.push(row as T);
    groups.set(_key, group);
  }
  const result = new Map<unknown, Connection<T>>();
  for (const [key, group] of groups) result.set(key, toConnection(group.rows, page, sort.cursorOf, group.total));
  return result;
}

/**
 * The page of a parent with no row after the cursor (absent from windowPages' answer): its
 * totalCount comes from its own count, run only if the client reads it (0 on a first page).
 */
export function emptyPage<T>(
  q: Queryable,
  table: PgTable,
  where: SQL | undefined,
  page: PageRequest,
  cursorOf: (row: T) => CursorValue,
): Connection<T> {
  return toConnection<T>([], page, cursorOf, page.after ? () => countWhere(q, table, where) : 0);
}
