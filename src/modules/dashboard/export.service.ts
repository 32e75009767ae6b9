import { type AnyColumn, type SQL, and, asc, eq, getTableColumns, gt, or, sql } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { App } from '../../shared/app.js';
import {
  activities,
  apiKeys,
  conversations,
  documentTags,
  documents,
  events,
  invitations,
  journalEntries,
  labels,
  areas,
  projects,
  captures,
  captureSuggestions,
  projectSections,
  listMembers,
  messages,
  monthlyUsage,
  notifications,
  sessions,
  taskLabels,
  taskLists,
  tasks,
  boards,
  boardStates,
  boardLabels,
  boardMembers,
  tickets,
  ticketComments,
  ticketParticipants,
  ticketInboxes,
  publicForms,
  usageRecords,
  users,
  tags,
} from '../../db/schema/index.js';
import type { Viewer } from '../../shared/viewer.js';
import { publicUserColumns } from '../users/index.js';

const PAGE = 500;

/**
 * Everything the viewer owns as one JSON document, read table by table in pages of 500 rows (keyset
 * on id), so no single query loads a whole large account. Secrets (password hash, token and key
 * hashes) are never read.
 */
export class ExportService {
  constructor(private readonly app: App) {}

  async export(viewer: Viewer): Promise<Record<string, unknown>> {
    const me = viewer.userId;
    const ownLists = sql`(select ${taskLists.id} from ${taskLists} where ${taskLists.ownerId} = ${me})`;
    const ownEvents = sql`(select ${events.id} from ${events} where ${events.organizerId} = ${me})`;
    const ownDocs = sql`(select ${documents.id} from ${documents} where ${documents.ownerId} = ${me})`;
    const ownBoards = sql`(select ${boards.id} from ${boards} where ${boards.ownerId} = ${me})`;
    const ownConversations = sql`(select ${conversations.id} from ${conversations} where ${conversations.userId} = ${me})`;
    const { search: _s, ...documentColumns } = getTableColumns(documents);
    const { keyHash: _k, ...keyColumns } = getTableColumns(apiKeys);
    return {
      exportedAt: new Date().toISOString(),
      profile: (await this.app.db.select(publicUserColumns).from(users).where(eq(users.id, me)))[0],
      sessions: await this.all(sessions, sessions.id, eq(sessions.userId, me)),
      apiKeys: await this.all(apiKeys, apiKeys.id, eq(apiKeys.userId, me), keyColumns),
      taskLists: await this.all(taskLists, taskLists.id, eq(taskLists.ownerId, me)),
      listMembers: await this.all(
        listMembers,
        listMembers.userId,
        sql`${listMembers.listId} in ${ownLists}`,
        undefined,
        listMembers.listId,
      ),
      tasks: await this.all(tasks, tasks.id, or(sql`${tasks.listId} in ${ownLists}`, eq(tasks.createdById, me))!),
      labels: await this.all(labels, labels.id, eq(labels.ownerId, me)),
      taskLabels: await this.all(
        taskLabels,
        taskLabels.taskId,
        sql`${taskLabels.labelId} in (select ${labels.id} from ${labels} where ${labels.ownerId} = ${me})`,
        undefined,
        taskLabels.labelId,
      ),
      areas: await this.all(areas, areas.id, eq(areas.ownerId, me)),
      projects: await this.all(projects, projects.id, eq(projects.ownerId, me)),
      projectSections: await this.all(
        projectSections,
        projectSections.id,
        sql`${projectSections.projectId} in (select ${projects.id} from ${projects} where ${projects.ownerId} = ${me})`,
      ),
      captures: await this.all(captures, captures.id, eq(captures.userId, me)),
      captureSuggestions: await this.all(
        captureSuggestions,
        captureSuggestions.id,
        sql`${captureSuggestions.captureId} in (select ${captures.id} from ${captures} where ${captures.userId} = ${me})`,
      ),
      events: await this.all(events, events.id, eq(events.organizerId, me)),
      invitationsSent: await this.all(invitations, invitations.id, sql`${invitations.eventId} in ${ownEvents}`),
      invitationsReceived: await this.all(invitations, invitations.id, eq(invitations.inviteeId, me)),
      documents: await this.all(documents, documents.id, eq(documents.ownerId, me), documentColumns),
      tags: await this.all(tags, tags.id, eq(tags.ownerId, me)),
      documentTags: await this.all(
        documentTags,
        documentTags.tagId,
        sql`${documentTags.documentId} in ${ownDocs}`,
        undefined,
        documentTags.documentId,
      ),
      journalEntries: await this.all(journalEntries, journalEntries.id, eq(journalEntries.userId, me)),
      conversations: await this.all(conversations, conversations.id, eq(conversations.userId, me)),
      messages: await this.all(messages, messages.id, sql`${messages.conversationId} in ${ownConversations}`),
      monthlyUsage: await this.all(monthlyUsage, monthlyUsage.month, eq(monthlyUsage.userId, me)),
      usageRecords: await this.all(usageRecords, usageRecords.id, eq(usageRecords.userId, me)),
      notifications: await this.all(notifications, notifications.id, eq(notifications.userId, me)),
      activities: await this.all(activities, activities.id, eq(activities.actorId, me)),
      // The tracker: the boards the viewer owns with everything on them, and what they wrote elsewhere.
      boards: await this.all(boards, boards.id, eq(boards.ownerId, me)),
      boardStates: await this.all(boardStates, boardStates.id, sql`${boardStates.boardId} in ${ownBoards}`),
      boardLabels: await this.all(boardLabels, boardLabels.id, sql`${boardLabels.boardId} in ${ownBoards}`),
      boardMembers: await this.all(
        boardMembers,
        boardMembers.userId,
        or(sql`${boardMembers.boardId} in ${ownBoards}`, eq(boardMembers.userId, me))!,
        undefined,
        boardMembers.boardId,
      ),
      tickets: await this.all(
        tickets,
        tickets.id,
        or(sql`${tickets.boardId} in ${ownBoards}`, eq(tickets.createdById, me), eq(tickets.assigneeId, me))!,
      ),
      ticketComments: await this.all(
        ticketComments,
        ticketComments.id,
        or(
          sql`${ticketComments.ticketId} in (select ${tickets.id} from ${tickets} where ${tickets.boardId} in ${ownBoards})`,
          eq(ticketComments.authorId, me),
        )!,
      ),
      ticketParticipants: await this.all(
        ticketParticipants,
        ticketParticipants.email,
        sql`${ticketParticipants.ticketId} in (select ${tickets.id} from ${tickets} where ${tickets.boardId} in ${ownBoards})`,
        undefined,
        ticketParticipants.ticketId,
      ),
      ticketInboxes: await this.all(ticketInboxes, ticketInboxes.id, eq(ticketInboxes.connectedById, me)),
      publicForms: await this.all(publicForms, publicForms.boardId, sql`${publicForms.boardId} in ${ownBoards}`),
    };
  }

  /** Every matching row, PAGE at a time, ordered by (group, key). */
  private async all(
    table: PgTable,
    key: AnyColumn,
    where: SQL,
    columns?: Record<string, AnyColumn>,
    group?: AnyColumn,
  ): Promise<unknown[]> {
    const out: unknown[] = [];
    let last: Record<string, unknown> | undefined;
    for (;;) {
      const after = !last
        ? undefined
        : group
          ? or(gt(group, last.__group), and(eq(group, last.__group), gt(key, last.__key)))
          : gt(key, last.__key);
      const select = { ...(columns ?? getTableColumns(table)), __key: key, ...(group ? { __group: group } : {}) };
      const rows = (await this.app.db
        .select(select as never)
        .from(table)
        .where(and(where, after))
        .orderBy(...(group ? [asc(group), asc(key)] : [asc(key)]))
        .limit(PAGE)) as Array<Record<string, unknown>>;
      for (const { __key: _k, __group: _g, ...row } of rows) out.push(row);
      if (rows.length < PAGE) return out;
      last = rows.at(-1);
    }
  }
}
