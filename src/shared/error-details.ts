import { causes } from './errors.js';

/**
 * What an operator may see of an unexpected error. A failed statement is described by PostgreSQL's
 * own reason (SQLSTATE code, constraint, table, column, message) and the statement text; its
 * parameters, which can hold password hashes, tokens and personal data, only in development.
 */
export interface ErrorDetails {
  type: string;
  message: string;
  stack?: string;
  query?: string;
  params?: unknown[];
  db?: Record<string, string>;
  cause?: ErrorDetails;
}

const DB_FIELDS = [
  'code',
  'severity',
  'constraint',
  'constraint_name',
  'table',
  'table_name',
  'column',
  'column_name',
  'schema',
  'schema_name',
  'routine',
] as const;

interface Failed {
  name?: string;
  message?: string;
  stack?: string;
  query?: unknown;
  params?: unknown;
  cause?: unknown;
  originalError?: unknown;
}

/** A message field as text: errors from drivers and libraries are not always what their types say. */
export const messageText = (value: unknown): string => (typeof value === 'string' ? value : '');

/** drizzle's DrizzleQueryError: the failed statement, its parameters, and the driver's error as cause. */
export function isFailedQuery(error: unknown): boolean {
  return !!error && typeof error === 'object' && typeof (error as Failed).query === 'string' && 'params' in error;
}

/** The database's own fields of a driver error (postgres.js and PGlite name some differently). */
function dbFields(error: Record<string, unknown>): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const key of DB_FIELDS) {
    const value = error[key];
    if (typeof value === 'string' && value) out[key.replace(/_name$/, '')] = value;
  }
  return typeof error.code === 'string' && /^[0-9A-Z]{5}$/.test(error.code) ? out : undefined;
}

/** drizzle's "Failed query: … params: …" message, repeated by errors that wrap it, without its parameters. */
function withoutParams(message: string): string {
  const at = message.indexOf('\nparams:');
  return at < 0 ? message : message.slice(0, at);
}

export function errorDetails(error: unknown, development: boolean, depth = 0): ErrorDetails {
  if (!error || typeof error !== 'object') return { type: typeof error, message: String(error) };
  const e = error as Failed;
  const isQuery = isFailedQuery(e);
  const details: ErrorDetails = {
    type: e.name ?? 'Error',
    // drizzle's message repeats the parameters: the statement is given apart from them instead.
    message: isQuery ? 'Failed query' : withoutParams(messageText(e.message)),
  };
  if (isQuery) {
    details.query = e.query as string;
    if (development && Array.isArray(e.params)) details.params = e.params;
  }
  const db = dbFields(error as Record<string, unknown>);
  if (db) details.db = db;
  if (development && e.stack && !isQuery) details.stack = withoutParams(e.stack);
  const inner = e.originalError ?? e.cause;
  if (inner && depth < 4) details.cause = errorDetails(inner, development, depth + 1);
  return details;
}

/** The innermost database reason of an error, as one line: "23505 unique_violation …: message". */
export function databaseReason(error: unknown): string | null {
  for (const e of causes(error)) {
    const db = dbFields(e);
    if (db) return `${db.code}: ${messageText(e.message)}${db.constraint ? ` (constraint ${db.constraint})` : ''}`;
  }
  return null;
}
