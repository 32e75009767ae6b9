import { and, eq, inArray } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Queryable } from '../db/client.js';
import { NotFoundError } from './errors.js';
import { validIds } from './ids.js';

/**
 * The given ids, deduplicated, when every one names a row the owner has; otherwise NOT_FOUND, the
 * same for a malformed id, someone else's row and a row that does not exist.
 */
export async function ownedIds(
  q: Queryable,
  table: PgTable,
  idColumn: PgColumn,
  ownerColumn: PgColumn,
  ownerId: string,
  ids: string[],
  what: string,
): Promise<string[]> {
  const wanted = validIds(ids);
  if (wanted.length < new Set(ids).size) throw new NotFoundError(what);
  if (wanted.length === 0) return [];
  const rows = await q
    .select({ id: idColumn })
    .from(table)
    .where(and(inArray(idColumn, wanted), eq(ownerColumn, ownerId)));
  if (rows.length !== wanted.length) throw new NotFoundError(what);
  return wanted;
}
