import { EventEmitter } from 'node:events';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from 'pino';
import type { Context } from '../graphql/context.js';
import { isUnexpected } from '../shared/format-error.js';

/** What one finished operation cost; the server emits it as `operation` on `reports`. */
export interface OperationReport {
  operationName: string | null;
  statements: number;
  durationMs: number;
  viewerId: string | null;
  errors: number;
}

/** Where operation reports go: the log, metrics, and tests that count statements. */
export type OperationReports = EventEmitter<{ operation: [report: OperationReport, requestId?: string] }>;

export const createOperationReports = (): OperationReports =>
  new EventEmitter<{ operation: [report: OperationReport, requestId?: string] }>();

/**
 * A report per operation (name, duration, statements, viewer, errors) for the request's log line,
 * metrics and tests; unexpected errors are logged once each, with the request id.
 */
export function operationReports(reports: OperationReports, logger: Logger): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            if (isUnexpected(error))
              logger.error({ err: error, requestId: contextValue.requestId }, 'unexpected error');
          }
        },
        async willSendResponse({ response, contextValue, operationName, errors }) {
          const body = response.body;
          if (body.kind === 'single') {
            for (const e of body.singleResult.errors ?? []) {
              if (e.extensions?.code === 'INTERNAL_SERVER_ERROR')
                (e.extensions as Record<string, unknown>).requestId = contextValue.requestId;
            }
          }
          const report: OperationReport = {
            operationName: operationName ?? null,
            statements: contextValue.stats?.statements ?? 0,
            durationMs: Math.round((performance.now() - started) * 100) / 100,
            viewerId: contextValue.viewer?.userId ?? null,
            errors: errors?.length ?? 0,
          };
          reports.emit('operation', report, contextValue.requestId);
        },
      };
    },
  };
}
