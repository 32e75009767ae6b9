import { and, eq, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { assistantActions } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import { AppError, ConflictError, ErrorCode, NotFoundError } from '../../shared/errors.js';
import { publish } from '../../shared/event-bus.js';
import { parseId } from '../../shared/ids.js';
import type { Connection } from '../../shared/pagination.js';
import type { Viewer } from '../../shared/viewer.js';
import { createNotifications } from '../notifications/index.js';
import { actionExpired, expireAction, getAction, listActions } from './action-reads.js';
import { MAX_PENDING, credentialTainted, pendingCapReached, requirePerson, taintCredential } from './action-rules.js';
import { ranFields, runTool } from './action-runner.js';
import type { ActionRow, AssistantActionStatus } from './action.type.js';
import { parseArguments, workspaceServices } from './tools/tool.js';
import { toolNamed } from './tools/registry.js';

/** How long a PENDING action waits for a decision. */
export const PENDING_HOURS = 24;

/** A tool call as the model (or an MCP client) made it. */
export interface ProposedCall {
  tool: string;
  /** The JSON text of the arguments (Chat Completions), or the parsed object (MCP). */
  arguments: unknown;
  source: 'ASSISTANT' | 'MCP';
  conversationId?: string | null;
  messageId?: string | null;
  toolCallId?: string | null;
}

/** What one sendMessage (or one MCP call) has done so far that decides the next call's fate. */
export interface TurnState {
  /** It read content the viewer did not write: WRITE actions wait from now on. */
  readUntrusted: boolean;
}

/** Writes that must commit with the action row (the TOOL message answering the call). */
export type WithAction = (tx: Tx, action: ActionRow) => Promise<void>;

/**
 * Assistant actions: each tool call becomes a row, decided by the approval rules, run as the viewer
 * in one transaction with its activity row, or left PENDING for the viewer to approve or deny.
 */
export class ActionService {
  constructor(private readonly app: App) {}

  async propose(viewer: Viewer, call: ProposedCall, turn: TurnState, also?: WithAction): Promise<ActionRow> {
    const base = baseRow(viewer, call);
    const { args, json } = readArguments(call.arguments);
    if (!json)
      return this.failed(viewer, { ...base, risk: 'READ', arguments: args }, 'Invalid arguments: not valid JSON', also);
    const tool = toolNamed(call.tool);
    if (!tool)
      return this.failed(viewer, { ...base, risk: 'READ', arguments: args }, `Unknown tool: ${call.tool}`, also);
    const row = { ...base, risk: tool.risk, arguments: args };
    if (tool.risk !== 'READ' && viewer.scopes && !viewer.scopes.includes('WRITE'))
      return this.failed(viewer, row, 'FORBIDDEN: this API key may only read', also);
    const parsed = parseArguments(tool, args);
    if (!parsed.ok) return this.failed(viewer, row, parsed.error, also);
    const services = workspaceServices(this.app);
    // A WRITE where other people read (a shared list) publishes: it waits like EXTERNAL, tainted or not.
    const risk =
      tool.risk === 'WRITE' && (await tool.publishes?.(viewer, services, parsed.args).catch(() => false))
        ? 'EXTERNAL'
        : tool.risk;
    const waits =
      risk === 'EXTERNAL' ? 'EXTERNAL_EFFECT' : risk === 'WRITE' && turn.readUntrusted ? 'UNTRUSTED_CONTENT' : null;
    if (waits) {
      let preview: Record<string, unknown> | null = null;
      try {
        preview = (await tool.preview?.(viewer, services, parsed.args)) ?? null;
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        return this.failed(viewer, row, `${String(error.extensions.code)}: ${error.message}`, also);
      }
      return this.pending(viewer, { ...row, risk, approvalReason: waits, preview }, also);
    }

    const action = await this.app.db.transaction(async (tx) => {
      const [made] = await tx
        .insert(assistantActions)
        .values({ ...row, status: 'PENDING' })
        .returning();
      const run = await runTool(this.app, tx, viewer, tool, parsed.args, made!.id, call.source);
      const [done] = await tx
        .update(assistantActions)
        .set(ranFields(run))
        .where(eq(assistantActions.id, made!.id))
        .returning();
      if (run.ok && run.outcome.foreign) turn.readUntrusted = true;
      await this.announce(tx, done!, also);
      return done;
    });
    return action!;
  }

  /** Records a call that is not run (the turn reached its step cap): FAILED with the reason. */
  async refuse(viewer: Viewer, call: ProposedCall, reason: string, also?: WithAction): Promise<ActionRow> {
    return this.failed(
      viewer,
      {
        ...baseRow(viewer, call),
        risk: toolNamed(call.tool)?.risk ?? 'READ',
        arguments: readArguments(call.arguments).args,
      },
      reason,
      also,
    );
  }

  private async failed(
    viewer: Viewer,
    row: Omit<typeof assistantActions.$inferInsert, 'status'>,
    error: string,
    also?: WithAction,
  ): Promise<ActionRow> {
    return this.app.db.transaction((tx) => this.insertFailed(tx, viewer, row, error, also));
  }

  private async insertFailed(
    tx: Tx,
    viewer: Viewer,
    row: Omit<typeof assistantActions.$inferInsert, 'status'>,
    error: string,
    also?: WithAction,
  ): Promise<ActionRow> {
    const [done] = await tx
      .insert(assistantActions)
      .values({ ...row, userId: viewer.userId, status: 'FAILED', error })
      .returning();
    await this.announce(tx, done!, also);
    return done!;
  }

  private async pending(
    viewer: Viewer,
    row: Omit<typeof assistantActions.$inferInsert, 'status'>,
    also?: WithAction,
  ): Promise<ActionRow> {
    return this.app.db.transaction(async (tx) => {
      // Counted and inserted in one transaction, under a lock on the user's row: no race past the cap.
      if (await pendingCapReached(tx, viewer.userId))
        return this.insertFailed(
          tx,
          viewer,
          row,
          `RATE_LIMITED: ${MAX_PENDING} actions already await the user's approval; not proposed`,
          also,
        );
      const [made] = await tx
        .insert(assistantActions)
        .values({
          ...row,
          userId: viewer.userId,
          status: 'PENDING',
          expiresAt: sql`clock_timestamp() + make_interval(hours => ${PENDING_HOURS})` as never,
        })
        .returning();
      const who = row.source === 'MCP' ? 'An agent (MCP)' : 'The assistant';
      await createNotifications(tx, [
        {
          userId: viewer.userId,
          kind: 'ASSISTANT_ACTION_PENDING',
          title: `${who} asks to run ${row.tool}`,
          body: `${row.approvalReason === 'EXTERNAL_EFFECT' ? 'It affects other people or cannot be undone' : 'It follows content someone else wrote'}. Arguments: ${JSON.stringify(row.arguments).slice(0, 500)}`,
          entityType: 'assistant_action',
          entityId: made!.id,
        },
      ]);
      await this.announce(tx, made!, also);
      return made!;
    });
  }

  /** Whether the viewer's credential read foreign content within MCP_TAINT_WINDOW_S (MCP calls are stateless). */
  credentialTainted(viewer: Viewer): Promise<boolean> {
    return credentialTainted(this.app, viewer);
  }

  taintCredential(viewer: Viewer): Promise<void> {
    return taintCredential(this.app, viewer);
  }

  private async announce(tx: Tx, action: ActionRow, also?: WithAction): Promise<void> {
    if (also) await also(tx, action);
    await publish(tx, { topic: 'assistant.action', userId: action.userId, id: action.id });
  }

  /**
   * Runs a PENDING action once, as the viewer now is. Approving again returns the same action; a
   * denied one is CONFLICT; an expired one is BAD_USER_INPUT (and is marked EXPIRED).
   */
  async approve(viewer: Viewer, id: string, also?: WithAction): Promise<{ action: ActionRow; decided: boolean }> {
    requirePerson(viewer);
    const result = await this.app.db.transaction(async (tx) => {
      const { action, expired } = await this.lock(tx, viewer, id);
      if (action.status !== 'PENDING') return { action, changed: false };
      if (expired) return { action: await expireAction(tx, action), changed: true };
      // The tool and the arguments are checked again: the registry may have changed since.
      const tool = toolNamed(action.tool);
      const parsed = tool
        ? parseArguments(tool, action.arguments)
        : ({ ok: false, error: `Unknown tool: ${action.tool}` } as const);
      const run =
        tool && parsed.ok
          ? await runTool(this.app, tx, viewer, tool, parsed.args, action.id, action.source, action.preview)
          : ({ ok: false, error: parsed.ok ? 'Unknown tool' : parsed.error } as const);
      const now = sql`clock_timestamp()` as never;
      const [done] = await tx
        .update(assistantActions)
        .set({ ...ranFields(run), decidedAt: now })
        .where(eq(assistantActions.id, action.id))
        .returning();
      await this.announce(tx, done!, also);
      return { action: done, changed: true };
    });
    if (result.action!.status === 'EXPIRED')
      throw new AppError(ErrorCode.BAD_USER_INPUT, 'This action expired without a decision', {
        fields: { id: 'The action expired' },
      });
    if (result.action!.status === 'DENIED') throw new ConflictError('This action was denied', 'id');
    return { action: result.action!, decided: result.changed };
  }

  /** DENIED, with the viewer's reason for the model; denying again returns the same action. */
  async deny(
    viewer: Viewer,
    id: string,
    reason: string | null | undefined,
    also?: WithAction,
  ): Promise<{ action: ActionRow; decided: boolean }> {
    requirePerson(viewer);
    const why = reason?.trim().slice(0, 1000) || null;
    let decided = false;
    const result = await this.app.db.transaction(async (tx) => {
      const { action, expired } = await this.lock(tx, viewer, id);
      if (action.status !== 'PENDING') return action;
      if (expired) return expireAction(tx, action);
      decided = true;
      const [done] = await tx
        .update(assistantActions)
        .set({
          status: 'DENIED',
          error: why ? `Denied by the user: ${why}` : 'Denied by the user',
          decidedAt: sql`clock_timestamp()`,
        })
        .where(eq(assistantActions.id, action.id))
        .returning();
      await this.announce(tx, done!, also);
      return done;
    });
    if (result!.status === 'EXPIRED')
      throw new AppError(ErrorCode.BAD_USER_INPUT, 'This action expired without a decision', {
        fields: { id: 'The action expired' },
      });
    if (result!.status !== 'DENIED') throw new ConflictError(`This action is ${result!.status} already`, 'id');
    return { action: result!, decided };
  }

  /** The viewer's action, locked, and whether it has expired by the database's clock. */
  private async lock(tx: Tx, viewer: Viewer, id: string): Promise<{ action: ActionRow; expired: boolean }> {
    const [row] = await tx
      .select({ action: assistantActions, expired: actionExpired })
      .from(assistantActions)
      .where(and(eq(assistantActions.id, parseId(id, 'AssistantAction')), eq(assistantActions.userId, viewer.userId)))
      .for('update');
    if (!row) throw new NotFoundError('AssistantAction');
    return row;
  }

  async get(viewer: Viewer, id: string): Promise<ActionRow> {
    return getAction(this.app, viewer, id);
  }

  /** The viewer's actions, newest first. */
  list(
    viewer: Viewer,
    status: AssistantActionStatus | null | undefined,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<Connection<ActionRow>> {
    return listActions(this.app, viewer, status, first, after);
  }
}

/** The row fields every action of a call shares. */
function baseRow(viewer: Viewer, call: ProposedCall) {
  return {
    userId: viewer.userId,
    conversationId: call.conversationId ?? null,
    messageId: call.messageId ?? null,
    toolCallId: call.toolCallId ?? null,
    tool: call.tool,
    source: call.source,
  };
}

/** A call's arguments as an object to store and validate: parsed JSON text, or `{ raw }` when it is not JSON (json false) or not an object. */
function readArguments(value: unknown): { args: Record<string, unknown>; json: boolean } {
  let raw = value;
  if (typeof raw === 'string') {
    try {
      raw = raw.trim() === '' ? {} : JSON.parse(raw);
    } catch {
      return { args: { raw: value }, json: false };
    }
  }
  return {
    args: raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : { raw },
    json: true,
  };
}
