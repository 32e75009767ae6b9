import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { databaseReason, isFailedQuery, messageText } from './error-details.js';
import { AppError, ErrorCode, ServiceUnavailableError } from './errors.js';
import { isUnavailable } from '../db/deadline.js';
import { literalFieldOf } from './input-gate.js';

const CONTRACT_CODES = new Set<string>(Object.values(ErrorCode));
/** Apollo's own request errors all mean the request itself was bad. */
const REQUEST_ERRORS = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/**
 * One mapping from whatever was thrown to the contract's codes. Outside development an unexpected
 * error says only "Internal server error": no message, stack or SQL.
 */
export function createFormatError(production: boolean) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (!(original instanceof AppError) && isUnavailable(original)) {
      const { message, extensions } = new ServiceUnavailableError();
      return { message, locations: formatted.locations, path: formatted.path, extensions };
    }
    const code = messageText(formatted.extensions?.code);
    if (!production && !(original instanceof AppError)) {
      const failed = databaseFailure(original);
      if (failed) return failed(formatted);
    }
    if (code === ErrorCode.INTERNAL_SERVER_ERROR && original instanceof AppError) return strip(formatted, production);
    if (original instanceof AppError || CONTRACT_CODES.has(code)) {
      if (code !== ErrorCode.INTERNAL_SERVER_ERROR || !production) return strip(formatted, production);
    }
    if (REQUEST_ERRORS.has(code)) {
      const field = literalFieldOf(error);
      const fields = field ? { fields: { [field]: formatted.message } } : {};
      return strip(
        { ...formatted, extensions: { ...formatted.extensions, ...fields, code: ErrorCode.BAD_USER_INPUT } },
        production,
      );
    }
    if (!production)
      return { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.INTERNAL_SERVER_ERROR } };
    return {
      message: 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

function strip(formatted: GraphQLFormattedError, production: boolean): GraphQLFormattedError {
  if (!production || !formatted.extensions) return formatted;
  const { stacktrace: _s, exception: _e, ...extensions } = formatted.extensions as Record<string, unknown>;
  return { ...formatted, extensions };
}

/** True for errors nobody expected: they are logged with the request id. */
export function isUnexpected(error: unknown): boolean {
  const original = unwrapResolverError(error);
  if (original instanceof AppError || isUnavailable(original)) return false;
  const code = (original as { extensions?: { code?: string } } | null | undefined)?.extensions?.code;
  return !code || code === ErrorCode.INTERNAL_SERVER_ERROR;
}

/**
 * Development shows a failed statement's database reason ("Database error 23514: …"), never the
 * statement's parameters that drizzle's message and stack repeat (password hashes, tokens, addresses).
 */
function databaseFailure(original: unknown): ((formatted: GraphQLFormattedError) => GraphQLFormattedError) | null {
  const reason = databaseReason(original);
  if (!reason && !isFailedQuery(original)) return null;
  const message = `Database error ${reason ?? (messageText((original as { cause?: { message?: unknown } }).cause?.message) || 'without a reason')}`;
  return (formatted) => {
    const { stacktrace: _s, ...extensions } = (formatted.extensions ?? {}) as Record<string, unknown>;
    return { ...formatted, message, extensions: { ...extensions, code: ErrorCode.INTERNAL_SERVER_ERROR } };
  };
}
