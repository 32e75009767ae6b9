import { type AnyColumn, type SQL, sql } from 'drizzle-orm';

/**
 * `column = any($1::uuid[])`: a whole batch of keys in one parameter. `inArray` writes one parameter
 * per key, and drizzle builds each through a chain of type checks, which for a loader's batch of
 * hundreds of keys was a large part of the request's CPU; here the statement text is also the same
 * for every batch size. Keys must be valid ids (loaders get them from rows or from validIds).
 */
export function anyId(column: AnyColumn, ids: readonly string[]): SQL {
  return sql`${column} = any(${sql.param([...ids])}::uuid[])`;
}

/** An ILIKE pattern matching `term` anywhere, its own `%`, `_` and `\` taken literally. */
export function containsPattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
