import type { PGlite } from '@electric-sql/pglite';
import * as drizzle from 'drizzle-orm';
import { Column, SQL, Subquery, is } from 'drizzle-orm';
import type { PgDialect, PgQueryResultHKT, PgSession } from 'drizzle-orm/pg-core';
import { PgliteSession } from 'drizzle-orm/pglite/session';
import { PostgresJsSession } from 'drizzle-orm/postgres-js/session';
import type { Logger } from 'drizzle-orm/logger';
import type { Sql } from 'postgres';

interface SelectedField {
  path: string[];
  field: unknown;
}
interface Decoder {
  mapFromDriverValue(value: unknown): unknown;
}
type Row = unknown[];
type Mapper = (rows: Row[]) => Record<string, unknown>[];

// Exported by drizzle-orm at run time, though not in its type declarations.
const { mapResultRow } = drizzle as unknown as {
  mapResultRow: (fields: never, row: Row, joins: Record<string, boolean>) => Record<string, unknown>;
};
const sqlDecoder = (sql: SQL) => (sql as unknown as { decoder: Decoder }).decoder;
// eslint-disable-next-line @typescript-eslint/unbound-method -- compared by identity, never called
const passThrough = new Set<unknown>([Column.prototype.mapFromDriverValue, sqlDecoder(new SQL([])).mapFromDriverValue]);
const MAX_MAPPERS = 1000;
const mappers = new Map<string, Mapper>();

function decoderOf(field: unknown): Decoder {
  if (is(field, Column)) return field;
  if (is(field, SQL)) return sqlDecoder(field);
  if (is(field, Subquery)) return sqlDecoder((field as unknown as { _: { sql: SQL } })._.sql);
  return sqlDecoder((field as { sql: SQL }).sql);
}

/**
 * One function per selection that turns driver rows into objects, written as an object literal of
 * the selection's shape: what drizzle's mapResultRow does for every value of every row (type checks,
 * an iterator per column) is decided once here. Values are decoded exactly as drizzle decodes them.
 */
export function compileRowMapper(fields: SelectedField[]): Mapper {
  const decoders = fields.map((f) => decoderOf(f.field));
  type Node = { [key: string]: Node | string };
  const root: Node = {};
  fields.forEach(({ path }, i) => {
    let node = root;
    for (const key of path.slice(0, -1)) node = (node[key] ??= {}) as Node;
    const raw = `r[${i}]`;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- compared by identity, never called
    node[path.at(-1)!] = passThrough.has(decoders[i]!.mapFromDriverValue)
      ? raw
      : `(${raw} === null ? null : d[${i}].mapFromDriverValue(${raw}))`;
  });
  const literal = (node: Node): string =>
    `{ ${Object.entries(node)
      .map(([key, value]) => `${JSON.stringify(key)}: ${typeof value === 'string' ? value : literal(value)}`)
      .join(', ')} }`;
  // The source holds only indexes and JSON-quoted property names from the schema; decoders are passed in.
  // eslint-disable-next-line @typescript-eslint/no-implied-eval, @typescript-eslint/no-unsafe-call -- the compiled mapper, typed by the cast below
  return new Function(
    'd',
    `return function mapRows(rows) { const out = new Array(rows.length); for (let k = 0; k < rows.length; k++) { const r = rows[k]; out[k] = ${literal(root)}; } return out; };`,
  )(decoders) as Mapper;
}

const decoderIds = new WeakMap<object, number>();
let decoderCount = 0;
/** A stable number for a column, or for a decoding function (Number, a column type's method). */
function decoderId(field: unknown): number {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- used as a WeakMap key, never called
  const target: object = is(field, Column) ? field : decoderOf(field).mapFromDriverValue;
  let id = decoderIds.get(target);
  if (id === undefined) decoderIds.set(target, (id = ++decoderCount));
  return id;
}

/**
 * What a compiled mapper depends on: the statement text, and for each selected value its place in
 * the result object and how it is decoded. Two selections can share one SQL text with other field
 * names, nesting or decoders (`select({ a: t.id })` and `select({ b: t.id })`), so the text alone is
 * not enough.
 */
export function mapperKey(sqlText: string, fields: SelectedField[]): string {
  let key = sqlText;
  for (const f of fields) key += `\u0000${f.path.join('\u0001')}\u0002${decoderId(f.field)}`;
  return key;
}

/** The mapper of a prepared select: compiled once per selection; drizzle's own for outer joins. */
function mapperFor(
  prepared: { joinsNotNullableMap?: Record<string, boolean> },
  key: string,
  fields: SelectedField[],
): Mapper {
  const joins = prepared.joinsNotNullableMap;
  // A left, right or full join may null out a whole joined object: drizzle decides that per row.
  if (joins && Object.values(joins).some((notNull) => !notNull))
    return (rows) => rows.map((row) => mapResultRow(fields as never, row, joins));
  let mapper = mappers.get(key);
  if (!mapper) {
    if (mappers.size >= MAX_MAPPERS) mappers.delete(mappers.keys().next().value!);
    mappers.set(key, (mapper = compileRowMapper(fields)));
  }
  return mapper;
}

type Prepare = (
  query: { sql: string },
  fields: SelectedField[] | undefined,
  name: string | undefined,
  arrayMode: boolean,
  mapper?: unknown,
  ...rest: unknown[]
) => unknown;

/** A drizzle session class whose selects map rows through compiled mappers. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a mixin's constructor must take any[] (TS2545)
function withCompiledMappers<S extends new (...args: any[]) => { prepareQuery(...args: Parameters<Prepare>): unknown }>(
  Session: S,
) {
  return class extends Session {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- drizzle declares prepareQuery generic over the result type
    override prepareQuery(...args: any[]): any {
      const [query, fields, name, arrayMode, custom, ...rest] = args as Parameters<Prepare>;
      if (!fields || custom) return super.prepareQuery(...(args as Parameters<Prepare>));
      const key = mapperKey(query.sql, fields);
      const prepared = super.prepareQuery(
        query,
        fields,
        name,
        arrayMode,
        (rows: Row[]) => mapperFor(prepared as never, key, fields)(rows),
        ...rest,
      );
      return prepared;
    }
  };
}

/** The mixin's constraint: any session class with drizzle's prepareQuery. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a mixin's constructor must take any[] (TS2545)
type SessionClass = new (...args: any[]) => { prepareQuery(...args: Parameters<Prepare>): unknown };
const MappingPostgresJsSession = withCompiledMappers(PostgresJsSession as unknown as SessionClass);
const MappingPgliteSession = withCompiledMappers(PgliteSession as unknown as SessionClass);

type AnySession = PgSession<PgQueryResultHKT, Record<string, never>, never>;

export function postgresSession(client: Sql, dialect: PgDialect, logger?: Logger): AnySession {
  return new MappingPostgresJsSession(client, dialect, undefined, { logger }) as unknown as AnySession;
}

export function pgliteSession(client: PGlite, dialect: PgDialect, logger?: Logger): AnySession {
  return new MappingPgliteSession(client, dialect, undefined, { logger }) as unknown as AnySession;
}
