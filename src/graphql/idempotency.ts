import { type ApolloServerPlugin, type GraphQLResponse, HeaderMap } from '@apollo/server';
import { OperationTypeNode } from 'graphql';
import type { Logger } from 'pino';
import { ErrorCode, UNAVAILABLE_RETRY_AFTER_S } from '../shared/errors.js';
import { isUnavailable } from '../db/deadline.js';
import { withRetries } from '../shared/retry.js';
import type { Context } from './context.js';
import {
  type Claim,
  IdempotencyKey,
  claim,
  committedMarker,
  complete,
  fingerprint,
  release,
} from './idempotency-store.js';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const SETTLE_ATTEMPTS = 3;
/** Printable ASCII without spaces, 1 to 255 characters (a UUID is the usual choice). */
const KEY_SHAPE = /^[\x21-\x7e]{1,255}$/;
/** Codes that mean nothing was done, so the key is given back and a retry may act. */
const NOTHING_DONE = new Set<string>([
  ErrorCode.SERVICE_UNAVAILABLE,
  ErrorCode.INTERNAL_SERVER_ERROR,
  ErrorCode.RATE_LIMITED,
]);

/**
 * `Idempotency-Key` on a mutation (HTTP): the first request with a key acts and its response is kept
 * for `ttlS` seconds, scoped to the credential (session or API key); a retry with the same key and
 * the same request gets that response again (header `Idempotent-Replayed: true`) instead of acting
 * twice. The same key while the first is still running: 409 CONFLICT with Retry-After; with another
 * request: 422 BAD_USER_INPUT. A response that says nothing was done (the database unreachable, an
 * internal error, a rate limit) is not kept, so a retry acts. Queries ignore the header.
 */
export function idempotencyPlugin(serverKey: Buffer, ttlS: number, logger: Logger): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      let held: IdempotencyKey | null = null;
      return {
        async responseForOperation({ request, operation, contextValue, queryHash }) {
          const header = request.http?.headers.get(IDEMPOTENCY_HEADER);
          if (header === undefined || operation.operation !== OperationTypeNode.MUTATION) return null;
          if (!KEY_SHAPE.test(header))
            return refusal(400, ErrorCode.BAD_USER_INPUT, 'Idempotency-Key must be 1 to 255 printable characters');
          const viewer = contextValue.viewer;
          const scope = viewer?.apiKeyId
            ? `key:${viewer.apiKeyId}`
            : viewer?.sessionId
              ? `session:${viewer.sessionId}`
              : null;
          if (!viewer || !scope)
            return refusal(
              400,
              ErrorCode.BAD_USER_INPUT,
              'Idempotency-Key needs a signed-in request (an access token or API key)',
            );
          const key = new IdempotencyKey(serverKey, scope, header, viewer.userId);
          const print = fingerprint(queryHash ?? request.query ?? '', request.operationName ?? null, request.variables);
          let answer: Claim;
          try {
            answer = await claim(contextValue.app.database.db, key, print, ttlS);
          } catch (error) {
            if (!isUnavailable(error)) throw error;
            return refusal(
              503,
              ErrorCode.SERVICE_UNAVAILABLE,
              'The database cannot be reached now; retry later',
              UNAVAILABLE_RETRY_AFTER_S,
            );
          }
          switch (answer.kind) {
            case 'acquired':
              held = key;
              if (contextValue.stats) contextValue.stats.prologue = committedMarker(key);
              return null;
            case 'replay': {
              const headers = new HeaderMap([['idempotent-replayed', 'true']]);
              return { http: { status: answer.status, headers }, body: { kind: 'single', singleResult: answer.body } };
            }
            case 'running':
              return refusal(
                409,
                ErrorCode.CONFLICT,
                'A request with this Idempotency-Key is still running; retry later',
                1,
              );
            case 'unkept':
              return refusal(
                409,
                ErrorCode.CONFLICT,
                'A request with this Idempotency-Key was carried out, but its response was not kept; it is not done again',
              );
            case 'mismatch':
              return refusal(422, ErrorCode.BAD_USER_INPUT, 'This Idempotency-Key was used with a different request');
          }
        },
        async willSendResponse({ response, contextValue }) {
          const key = held;
          if (!key) return;
          held = null;
          const db = contextValue.app.database.db;
          const settle = () =>
            response.body.kind !== 'single' || nothingDone(response.body.singleResult)
              ? release(db, key)
              : complete(db, key, response.http.status ?? 200, response.body.singleResult);
          // A few tries: right after the database comes back, pooled connections fail once each.
          // Past the last the key keeps its lock (5 minutes): a retry gets 409 until then.
          await withRetries(settle, SETTLE_ATTEMPTS, 200).catch((err: unknown) =>
            logger.warn({ err }, 'idempotency: the outcome could not be kept'),
          );
        },
      };
    },
  };
}

/** True when no field of the mutation returned data and every error says nothing was done. */
function nothingDone(result: {
  data?: Record<string, unknown> | null;
  errors?: readonly { extensions?: Record<string, unknown> }[];
}): boolean {
  const data = result.data ? Object.values(result.data) : [];
  if (data.some((value) => value !== null && value !== undefined)) return false;
  const errors = result.errors ?? [];
  return errors.length > 0 && errors.every((e) => NOTHING_DONE.has(String(e.extensions?.code)));
}

function refusal(status: number, code: ErrorCode, message: string, retryAfter?: number): GraphQLResponse {
  const headers = new HeaderMap();
  if (retryAfter) headers.set('retry-after', String(retryAfter));
  const extensions = retryAfter ? { code, retryAfter } : { code };
  const fields = code === ErrorCode.BAD_USER_INPUT ? { fields: { idempotencyKey: message } } : {};
  return {
    http: { status, headers },
    body: { kind: 'single', singleResult: { errors: [{ message, extensions: { ...extensions, ...fields } }] } },
  };
}
