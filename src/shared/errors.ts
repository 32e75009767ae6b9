import { GraphQLError } from 'graphql';

/**
 * Every error code of the contract, and when it is thrown. Services throw these classes; the
 * GraphQL layer turns them into `extensions.code` and nothing else leaks.
 */
export const ErrorCode = {
  /** No, invalid or expired credentials. */
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  /** Authenticated but not allowed, including a missing API-key scope. */
  FORBIDDEN: 'FORBIDDEN',
  /** The account is suspended; extensions.reason holds the message. */
  ACCOUNT_SUSPENDED: 'ACCOUNT_SUSPENDED',
  /** The action needs a verified email (REQUIRE_EMAIL_VERIFICATION=true). */
  EMAIL_NOT_VERIFIED: 'EMAIL_NOT_VERIFIED',
  /** The object does not exist or is not visible to the viewer: the two look the same. */
  NOT_FOUND: 'NOT_FOUND',
  /** Invalid input; extensions.fields maps each bad field to its message. */
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  /** Uniqueness clash, e.g. an email already registered. */
  CONFLICT: 'CONFLICT',
  /** Too many attempts; extensions.retryAfter in seconds. */
  RATE_LIMITED: 'RATE_LIMITED',
  /** The tier's monthly token budget is spent. */
  USAGE_LIMIT_EXCEEDED: 'USAGE_LIMIT_EXCEEDED',
  /** Depth, cost or alias limits exceeded; nothing was executed. */
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  /** A dependency (the database) cannot be reached now: HTTP 503 with Retry-After; extensions.retryAfter in seconds. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** Anything else; no internals outside development. */
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class AppError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { ...extensions, code } });
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'Not authenticated') {
    super(ErrorCode.UNAUTHENTICATED, message);
  }
}
export class ForbiddenError extends AppError {
  constructor(message = 'Not allowed') {
    super(ErrorCode.FORBIDDEN, message);
  }
}
export class NotFoundError extends AppError {
  constructor(what = 'Object') {
    super(ErrorCode.NOT_FOUND, `${what} not found`);
  }
}
export class ConflictError extends AppError {
  constructor(message: string, field?: string) {
    super(ErrorCode.CONFLICT, message, field ? { fields: { [field]: message } } : {});
  }
}
export class SuspendedError extends AppError {
  constructor(reason: string | null) {
    super(ErrorCode.ACCOUNT_SUSPENDED, 'The account is suspended', { reason: reason ?? 'Suspended' });
  }
}
export class EmailNotVerifiedError extends AppError {
  constructor() {
    super(ErrorCode.EMAIL_NOT_VERIFIED, 'Verify your email address first');
  }
}
export class RateLimitedError extends AppError {
  constructor(retryAfter: number) {
    super(ErrorCode.RATE_LIMITED, 'Too many attempts, try again later', {
      retryAfter: Math.max(1, Math.ceil(retryAfter)),
    });
  }
}
/** Seconds a client should wait before retrying a SERVICE_UNAVAILABLE answer. */
export const UNAVAILABLE_RETRY_AFTER_S = 5;
export class ServiceUnavailableError extends AppError {
  constructor() {
    super(ErrorCode.SERVICE_UNAVAILABLE, 'The database cannot be reached now; retry later', {
      retryAfter: UNAVAILABLE_RETRY_AFTER_S,
    });
  }
}
export class InputError extends AppError {
  constructor(readonly fields: Record<string, string>) {
    super(ErrorCode.BAD_USER_INPUT, `Invalid input: ${Object.values(fields).join('; ')}`, { fields });
  }
}

/** Collects per-field problems and throws them together. */
export class FieldProblems {
  private readonly fields: Record<string, string> = {};
  add(field: string, message: string): this {
    this.fields[field] ??= message;
    return this;
  }
  check(condition: boolean, field: string, message: string): this {
    if (!condition) this.add(field, message);
    return this;
  }
  throwIfAny(): void {
    if (Object.keys(this.fields).length > 0) throw new InputError(this.fields);
  }
}

/**
 * An error and what it wraps, outermost first: GraphQL's originalError, a cause, the first of an
 * AggregateError (a refused connection to every address of a host). The one walk every check of
 * "what really failed" uses.
 */
export function* causes(error: unknown): Generator<Record<string, unknown>> {
  let e = error as { originalError?: unknown; cause?: unknown; errors?: unknown[] } | undefined;
  for (let depth = 0; e && typeof e === 'object' && depth < 6; depth++) {
    yield e;
    e = (e.originalError ?? e.cause ?? e.errors?.[0]) as typeof e;
  }
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/** The PostgreSQL error code (SQLSTATE) of an error or of what it wraps, if any. */
export function sqlState(error: unknown): string | undefined {
  for (const e of causes(error)) if (typeof e.code === 'string' && SQLSTATE.test(e.code)) return e.code;
  return undefined;
}

/** Postgres unique_violation (of the given constraint, when named). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  for (const e of causes(error)) {
    if (e.code === '23505') return !constraint || (e.constraint ?? e.constraint_name) === constraint;
  }
  return false;
}
