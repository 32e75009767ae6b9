import type { ApolloServerPlugin } from '@apollo/server';
import { ErrorCode, UNAVAILABLE_RETRY_AFTER_S } from '../shared/errors.js';

/**
 * An operation that failed because the database could not be reached answers HTTP 503 with
 * Retry-After (SERVICE_UNAVAILABLE), so that clients and load balancers retry later rather than
 * treat it as a result.
 */
export function unavailablePlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const errors = response.body.singleResult.errors ?? [];
          if (!errors.some((e) => e.extensions?.code === ErrorCode.SERVICE_UNAVAILABLE)) return;
          response.http.status = 503;
          response.http.headers.set('retry-after', String(UNAVAILABLE_RETRY_AFTER_S));
        },
      };
    },
  };
}
