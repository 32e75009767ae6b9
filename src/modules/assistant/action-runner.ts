import { sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import type { App } from '../../shared/app.js';
import { AppError } from '../../shared/errors.js';
import type { Viewer } from '../../shared/viewer.js';
import { recordActivity } from '../activity/index.js';
import { type Tool, type ToolOutcome, workspaceServices } from './tools/tool.js';

export type RunOutcome = { ok: true; outcome: ToolOutcome } | { ok: false; error: string };

/**
 * Runs a tool as the viewer, with the viewer's permissions, inside `tx`: the services it calls
 * use the transaction (their own transactions become savepoints), and the activity row
 * (verb assistant.<tool>) is written with them. A tool that throws leaves nothing behind: its
 * savepoint is rolled back and the reason is returned for the model.
 */
export async function runTool(
  app: App,
  tx: Tx,
  viewer: Viewer,
  tool: Tool,
  args: unknown,
  actionId: string,
  source: string,
  approved: unknown = null,
): Promise<RunOutcome> {
  try {
    const outcome = await tx.transaction(async (inner) => {
      const services = workspaceServices({ ...app, db: inner });
      const done = await tool.run(viewer, services, args, approved as Record<string, unknown> | null);
      const who = source === 'MCP' ? 'An agent (MCP)' : 'The assistant';
      await recordActivity(inner, {
        actorId: viewer.userId,
        verb: `assistant.${tool.name}`,
        entityType: done.entity?.type ?? 'assistant_action',
        entityId: done.entity?.id ?? actionId,
        summary: `${who} ${done.summary}`,
        listId: done.entity?.listId ?? null,
        boardId: done.entity?.boardId ?? null,
      });
      return done;
    });
    return { ok: true, outcome };
  } catch (error) {
    // The message of a rule the viewer broke (NOT_FOUND, FORBIDDEN, BAD_USER_INPUT with its fields) is for the model too.
    if (error instanceof AppError) return { ok: false, error: `${String(error.extensions.code)}: ${error.message}` };
    app.logger.error({ err: error, tool: tool.name, actionId }, 'assistant tool failed unexpectedly');
    return { ok: false, error: 'INTERNAL_SERVER_ERROR: the tool failed unexpectedly' };
  }
}

/** The columns an action gets once its tool ran: EXECUTED with the result (and whether it is foreign), or FAILED. */
export function ranFields(run: RunOutcome) {
  return run.ok
    ? {
        status: 'EXECUTED' as const,
        result: run.outcome.result,
        foreign: run.outcome.foreign ?? false,
        executedAt: sql`clock_timestamp()` as never as Date,
      }
    : { status: 'FAILED' as const, error: run.error };
}
