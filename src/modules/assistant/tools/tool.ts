import { z } from 'zod';
import type { App } from '../../../shared/app.js';
import type { Viewer } from '../../../shared/viewer.js';
import { CalendarService } from '../../calendar/index.js';
import { CaptureService } from '../../capture/index.js';
import { DocumentService } from '../../documents/index.js';
import { JournalService } from '../../journal/index.js';
import { DraftService } from '../../mail/index.js';
import { ProjectService } from '../../projects/index.js';
import { SearchService } from '../../search/index.js';
import { TaskListService, TaskService } from '../../tasks/index.js';
import { TicketCommentService, TicketFlowService, TicketService, mailOutbound } from '../../tracker/index.js';

export type ToolRiskName = 'READ' | 'WRITE' | 'EXTERNAL';

/** The workspace's services, bound to the database handle the action runs on (its transaction). */
export function workspaceServices(app: App) {
  return {
    tasks: new TaskService(app),
    taskLists: new TaskListService(app),
    projects: new ProjectService(app),
    captures: new CaptureService(app),
    calendar: new CalendarService(app),
    documents: new DocumentService(app),
    journal: new JournalService(app),
    search: new SearchService(app),
    drafts: new DraftService(app),
    tickets: new TicketService(app),
    ticketFlow: new TicketFlowService(app),
    ticketComments: new TicketCommentService(app, mailOutbound(app)),
  };
}
export type WorkspaceServices = ReturnType<typeof workspaceServices>;

/** What a tool's run returns: the result the model is given, and what the activity row names. */
export interface ToolOutcome {
  result: Record<string, unknown>;
  /** True when the result carries content the viewer did not write (a shared task, an invitation). */
  foreign?: boolean;
  /** The entity the action made or changed, for the activity row. */
  entity?: { type: string; id: string; listId?: string | null; boardId?: string | null };
  /** One line for the activity feed. */
  summary: string;
}

export interface Tool<A = unknown> {
  name: string;
  description: string;
  risk: ToolRiskName;
  /** The arguments: JSON with camelCase keys; the JSON Schema shown to models is emitted from it. */
  schema: z.ZodType<A>;
  /** A WRITE that lands where other people read it (a shared list) publishes: it waits like EXTERNAL. */
  publishes?(viewer: Viewer, services: WorkspaceServices, args: A): Promise<boolean>;
  /** What the person approves, read when the call is proposed; `run` gets it back once approved. */
  preview?(viewer: Viewer, services: WorkspaceServices, args: A): Promise<Record<string, unknown>>;
  run(
    viewer: Viewer,
    services: WorkspaceServices,
    args: A,
    approved?: Record<string, unknown> | null,
  ): Promise<ToolOutcome>;
}

/** Keeps a tool's argument type tied to its schema. */
export function defineTool<S extends z.ZodType>(tool: Omit<Tool<z.output<S>>, 'schema'> & { schema: S }): Tool {
  return tool;
}

/** The JSON Schema of a tool's arguments, as models and MCP clients are shown it. */
export function parametersOf(tool: Tool): Record<string, unknown> {
  const { $schema: _drop, ...schema } = z.toJSONSchema(tool.schema, { io: 'input' }) as Record<string, unknown>;
  return schema;
}

/** Arguments checked against a tool's schema: the parsed value, or the reason in one line. */
export function parseArguments(tool: Tool, raw: unknown): { ok: true; args: unknown } | { ok: false; error: string } {
  const parsed = tool.schema.safeParse(raw);
  if (parsed.success) return { ok: true, args: parsed.data };
  const reason = parsed.error.issues.map((i) => `${i.path.join('.') || 'arguments'}: ${i.message}`).join('; ');
  return { ok: false, error: `Invalid arguments: ${reason}` };
}

// Shared argument pieces.
export const id = (what: string) => z.string().uuid().describe(`The ${what}'s id`);
export const instant = (what: string) =>
  z.iso.datetime({ offset: true }).describe(`${what} (ISO 8601 date-time with offset)`);
export const day = z.iso.date().describe('A date, YYYY-MM-DD');
