import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

/**
 * The years every date and instant must fall in: four-digit years, which PostgreSQL, JavaScript's
 * ISO format and time-zone arithmetic all handle the same way.
 */
export const MIN_YEAR = 1000;
export const MAX_YEAR = 9999;
const MIN_INSTANT = Date.UTC(MIN_YEAR, 0, 1);
const MAX_INSTANT = Date.UTC(MAX_YEAR, 11, 31, 23, 59, 59, 999);

/**
 * A literal's problem as a plain error: graphql's validation then reports it against the literal's
 * node ("Expected value of type …; reason"), which is how the field it was written for is named.
 */
function literal<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new TypeError((error as Error).message);
  }
}

function parseInstant(value: unknown): Date {
  if (
    typeof value !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i.test(value)
  ) {
    throw new GraphQLError('DateTime must be an ISO-8601 instant with a timezone', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  const date = new Date(value);
  // JavaScript rolls 2026-02-30 over to March 2: the written date and time must exist as written.
  const [y, mo, d, h, mi, sec = 0] = (
    (/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(value) ?? []) as (string | undefined)[]
  )
    .slice(1)
    .filter((x) => x !== undefined)
    .map(Number);
  const day = new Date(Date.UTC(y!, mo! - 1, d));
  const real =
    day.getUTCFullYear() === y &&
    day.getUTCMonth() === mo! - 1 &&
    day.getUTCDate() === d &&
    h! <= 23 &&
    mi! <= 59 &&
    sec <= 59;
  if (Number.isNaN(date.getTime()) || !real) {
    throw new GraphQLError('DateTime is not a valid instant', { extensions: { code: 'BAD_USER_INPUT' } });
  }
  if (date.getTime() < MIN_INSTANT || date.getTime() > MAX_INSTANT) {
    throw new GraphQLError(`DateTime must be within the years ${MIN_YEAR} to ${MAX_YEAR} (UTC)`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return date;
}

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  specifiedByURL: 'https://scalars.graphql.org/chillicream/date-time.html',
  description: 'ISO-8601 instant with timezone, e.g. 2026-11-23T08:00:00.000Z; years 1000 to 9999 (UTC)',
  serialize: (value) => (value instanceof Date ? value : new Date(value as string)).toISOString(),
  parseValue: parseInstant,
  parseLiteral: (ast) => literal(() => parseInstant(ast.kind === Kind.STRING ? ast.value : undefined)),
});

function parseDay(value: unknown): string {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const d = new Date(`${value}T00:00:00Z`);
    if (!Number.isNaN(d.getTime()) && d.toISOString().startsWith(value)) {
      if (d.getUTCFullYear() >= MIN_YEAR) return value;
      throw new GraphQLError(`Date must be within the years ${MIN_YEAR} to ${MAX_YEAR}`, {
        extensions: { code: 'BAD_USER_INPUT' },
      });
    }
  }
  throw new GraphQLError('Date must be a calendar date, YYYY-MM-DD', { extensions: { code: 'BAD_USER_INPUT' } });
}

/** A calendar date as a YYYY-MM-DD string. */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  specifiedByURL: 'https://scalars.graphql.org/chillicream/date.html',
  description: 'Calendar date, YYYY-MM-DD; years 1000 to 9999',
  serialize: (value) => (value instanceof Date ? value.toISOString().slice(0, 10) : String(value)),
  parseValue: parseDay,
  parseLiteral: (ast) => literal(() => parseDay(ast.kind === Kind.STRING ? ast.value : undefined)),
});

/** A JSON literal written in the query text, as a plain value (objects with ordinary prototypes). */
function literalValue(ast: ValueNode, variables: Record<string, unknown> | null | undefined): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
    case Kind.ENUM:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((v) => literalValue(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literalValue(f.value, variables)]));
    case Kind.VARIABLE:
      return variables ? variables[ast.name.value] : undefined;
  }
}

/**
 * Any JSON value. Literal objects come back as ordinary objects: graphql builds them without a
 * prototype, which type-graphql's input conversion cannot handle.
 */
export const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  specifiedByURL: 'https://www.rfc-editor.org/rfc/rfc8259',
  description:
    'Arbitrary JSON value; as an argument at most 32 levels deep and 256 KB, with no NUL (\\u0000) in any string or key',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => literalValue(ast, variables),
});
