import { EventEmitter } from 'node:events';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Logger } from 'pino';
import type { Context } from './context.js';
import { isUnexpected } from './shared/format-error.js';

/** What one finished operation cost; the server emits it as `operation` on `reports`. */
export interface OperationReport {
  operationName: string | null;
  statements: number;
  durationMs: number;
  viewerId: string | null;
  errors: number;
}

/** Where operation reports go: the log, metrics, and tests that count statements. */
export type OperationReports = EventEmitter<{ operation: [OperationReport] }>;

export const createOperationReports = (): OperationReports => new EventEmitter<{ operation: [OperationReport] }>();

/** One log line per operation (name, duration, statements, viewer), and unexpected errors once each. */
export function operationReports(reports: OperationReports, logger: Logger, slowMs: number): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            if (isUnexpected(error)) logger.error({ err: error, requestId: contextValue?.requestId }, 'unexpected error');
          }
        },
        async willSendResponse({ response, contextValue, operationName, errors }) {
          const body = response.body;
          if (body.kind === 'single') {
            for (const e of body.singleResult.errors ?? []) {
              if (e.extensions?.code === 'INTERNAL_SERVER_ERROR') (e.extensions as Record<string, unknown>).requestId = contextValue.requestId;
            }
          }
          const report: OperationReport = {
            operationName: operationName ?? null,
            statements: contextValue?.stats?.statements ?? 0,
            durationMs: Math.round((performance.now() - started) * 100) / 100,
            viewerId: contextValue?.viewer?.userId ?? null,
            errors: errors?.length ?? 0,
          };
          if (report.durationMs > slowMs) logger.warn({ requestId: contextValue?.requestId, ...report }, 'slow graphql operation');
          else logger.info({ requestId: contextValue?.requestId, ...report }, 'graphql operation');
          reports.emit('operation', report);
        },
      };
    },
  };
}
