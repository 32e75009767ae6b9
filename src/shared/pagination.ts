import { type AnyColumn, type SQL, and, gt, isNull, lt, or, sql } from 'drizzle-orm';
import { type ClassType, Field, Int, ObjectType } from 'type-graphql';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Queryable } from '../db/client.js';
import { InputError } from './errors.js';
import { isUuid } from './ids.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

@ObjectType()
export class PageInfo {
  @Field(() => Boolean) hasNextPage!: boolean;
  @Field(() => Boolean) hasPreviousPage!: boolean;
  @Field(() => String, { nullable: true }) startCursor!: string | null;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}
export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  /** A value, or a promise made only when the field is read (a lazy getter). */
  totalCount: number | Promise<number>;
}

/** Builds the `XEdge` and `XConnection` object types for a node type. */
export function connectionTypes<T extends object>(name: string, node: ClassType<T>) {
  @ObjectType(`${name}Edge`)
  class EdgeType {
    @Field(() => String) cursor!: string;
    @Field(() => node) node!: T;
  }
  @ObjectType(`${name}Connection`)
  class ConnectionType {
    @Field(() => [EdgeType]) edges!: EdgeType[];
    @Field(() => PageInfo) pageInfo!: PageInfo;
    @Field(() => Int, { description: 'The whole filtered set, not the page' }) totalCount!: number;
  }
  return { EdgeType, ConnectionType };
}

export interface PageRequest {
  limit: number;
  after: CursorValue | null;
}
/** The sort value and the id of the last row seen. */
export type CursorValue = [value: string | number | null, id: string];

export function encodeCursor(value: CursorValue): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor(cursor: string): CursorValue {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[1] === 'string' && isUuid(parsed[1])) {
      const [v] = parsed as unknown[];
      if (v === null || typeof v === 'string' || typeof v === 'number') return parsed as CursorValue;
    }
  } catch {
    /* fall through */
  }
  throw new InputError({ after: 'Invalid cursor' });
}

/** Validates `first` (default 20, at most 100) and decodes `after`. */
export function pageRequest(first: number | null | undefined, after: string | null | undefined): PageRequest {
  const limit = first ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_PAGE_SIZE) {
    throw new InputError({ first: `first must be between 0 and ${MAX_PAGE_SIZE}` });
  }
  return { limit, after: after ? decodeCursor(after) : null };
}

export type Direction = 'ASC' | 'DESC';

/** ORDER BY for keyset pages: the sort expression (nulls last), then the id as the tiebreaker. */
export function keysetOrder(expr: SQL | AnyColumn, id: AnyColumn, dir: Direction): SQL[] {
  return dir === 'ASC'
    ? [sql`${expr} asc nulls last`, sql`${id} asc`]
    : [sql`${expr} desc nulls last`, sql`${id} desc`];
}

/** WHERE for rows after the cursor, matching keysetOrder. `cast` turns the cursor value into SQL. */
export function keysetAfter(
  expr: SQL | AnyColumn,
  id: AnyColumn,
  dir: Direction,
  after: CursorValue | null,
  cast: (v: string | number) => SQL = (v) => sql`${v}`,
): SQL | undefined {
  if (!after) return undefined;
  const [value, lastId] = after;
  const beyond = dir === 'ASC' ? gt : lt;
  if (value === null) return and(isNull(expr), beyond(id, lastId));
  const v = cast(value);
  const strictly = dir === 'ASC' ? sql`${expr} > ${v}` : sql`${expr} < ${v}`;
  return or(strictly, and(sql`${expr} = ${v}`, beyond(id, lastId)), isNull(expr));
}

/** An edge whose cursor is encoded when it is read: most operations never ask for it. */
class LazyEdge<T> implements Edge<T> {
  private encoded: string | undefined;
  constructor(
    readonly node: T,
    private readonly cursorOf: (row: T) => CursorValue,
  ) {}

  get cursor(): string {
    return (this.encoded ??= encodeCursor(this.cursorOf(this.node)));
  }
}

class LazyPageInfo<T> implements PageInfo {
  constructor(
    private readonly edges: Edge<T>[],
    readonly hasNextPage: boolean,
    readonly hasPreviousPage: boolean,
  ) {}

  get startCursor(): string | null {
    return this.edges[0]?.cursor ?? null;
  }

  get endCursor(): string | null {
    return this.edges.at(-1)?.cursor ?? null;
  }
}

const badCursor = () => new InputError({ after: 'Invalid cursor' });
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Casts of a cursor's sort value into SQL, one per column type. Each checks the value first: a cursor
 * that decodes but carries the wrong type is BAD_USER_INPUT (fields.after), never a failed statement.
 */
export const cursorCast = {
  timestamptz: (v: string | number): SQL => {
    if (typeof v !== 'string' || !ISO_INSTANT.test(v) || Number.isNaN(Date.parse(v))) throw badCursor();
    return sql`${v}::timestamptz`;
  },
  date: (v: string | number): SQL => {
    if (typeof v !== 'string' || !ISO_DAY.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) throw badCursor();
    return sql`${v}::date`;
  },
  int: (v: string | number): SQL => {
    if (typeof v !== 'number' || !Number.isInteger(v) || Math.abs(v) > 2 ** 31 - 1) throw badCursor();
    return sql`${v}::int`;
  },
  bigint: (v: string | number): SQL => {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw badCursor();
    return sql`${v}::bigint`;
  },
  real: (v: string | number): SQL => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw badCursor();
    return sql`${v}::real`;
  },
  /** A value of a PostgreSQL enum type, given its values. */
  enumOf:
    (type: string, values: readonly string[]) =>
    (v: string | number): SQL => {
      if (typeof v !== 'string' || !values.includes(v)) throw badCursor();
      return sql`${v}::${sql.raw(type)}`;
    },
};

/** How a list is ordered for keyset pages: a sort expression, the id tiebreaker, and the cursor. */
export interface SortKey<T> {
  expr: SQL | AnyColumn;
  id: AnyColumn;
  dir: Direction;
  /** Turns a cursor's sort value into SQL (one of cursorCast). */
  cast: (v: string | number) => SQL;
  cursorOf: (row: T) => CursorValue;
}

/**
 * One keyset page: `fetch` runs the list's own select with the extra condition (rows after the
 * cursor), the order and the limit (one more than the page, to know whether another follows);
 * `count` runs only if the client reads totalCount.
 */
export async function keysetPage<T>(
  page: PageRequest,
  sort: SortKey<T>,
  fetch: (after: SQL | undefined, order: SQL[], limit: number) => Promise<T[]>,
  count: () => Promise<number>,
): Promise<Connection<T>> {
  const rows = await fetch(
    keysetAfter(sort.expr, sort.id, sort.dir, page.after, sort.cast),
    keysetOrder(sort.expr, sort.id, sort.dir),
    page.limit + 1,
  );
  return toConnection(rows, page, sort.cursorOf, count);
}

/** `count(*)` of a table's rows within a scope: a connection's totalCount. */
export async function countWhere(q: Queryable, table: PgTable, scope: SQL | undefined): Promise<number> {
  const [row] = await q
    .select({ n: sql<number>`count(*)::int` })
    .from(table)
    .where(scope);
  return Number(row?.n ?? 0);
}

/** Turns `limit + 1` fetched rows into a connection page. */
export function toConnection<T>(
  rows: T[],
  page: PageRequest,
  cursorOf: (row: T) => CursorValue,
  totalCount: number | (() => Promise<number>),
): Connection<T> {
  const hasNextPage = rows.length > page.limit;
  const nodes = hasNextPage ? rows.slice(0, page.limit) : rows;
  const edges = nodes.map((node) => new LazyEdge(node, cursorOf));
  const connection = {
    edges,
    pageInfo: new LazyPageInfo(edges, hasNextPage, page.after !== null),
  } as unknown as Connection<T>;
  return withTotalCount(connection, totalCount);
}

/** The count query runs only when `totalCount` is read, i.e. when the client asked for it. */
export function withTotalCount<C extends object>(
  connection: C,
  totalCount: number | (() => Promise<number>),
): C & { totalCount: number | Promise<number> } {
  let memo: Promise<number> | undefined;
  return Object.defineProperty(connection, 'totalCount', {
    enumerable: true,
    get: () => (typeof totalCount === 'number' ? totalCount : (memo ??= totalCount())),
  }) as C & { totalCount: number | Promise<number> };
}
