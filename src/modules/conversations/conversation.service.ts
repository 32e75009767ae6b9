import { and, eq } from 'drizzle-orm';
import type { App } from '../../shared/app.js';
import type { Queryable } from '../../db/client.js';
import { conversations, messages } from '../../db/schema/index.js';
import { FieldProblems, NotFoundError } from '../../shared/errors.js';
import { parseId } from '../../shared/ids.js';
import { type Connection, countWhere, cursorCast, keysetPage, pageRequest } from '../../shared/pagination.js';
import type { Viewer } from '../../shared/viewer.js';
import type { ConversationRow, MessageRow } from './conversation.type.js';

export const DEFAULT_TITLE = 'New conversation';

/** Conversations belong to one user; anyone else gets NOT_FOUND. */
export class ConversationService {
  constructor(private readonly app: App) {}

  async list(
    viewer: Viewer,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<Connection<ConversationRow>> {
    const page = pageRequest(first, after);
    const mine = eq(conversations.userId, viewer.userId);
    return keysetPage(
      page,
      {
        expr: conversations.updatedAt,
        id: conversations.id,
        dir: 'DESC',
        cast: cursorCast.timestamptz,
        cursorOf: (r) => [r.updatedAt.toISOString(), r.id],
      },
      (past, order, limit) =>
        this.app.db
          .select()
          .from(conversations)
          .where(and(mine, past))
          .orderBy(...order)
          .limit(limit),
      () => countWhere(this.app.db, conversations, mine),
    );
  }

  async get(viewer: Viewer, id: string): Promise<ConversationRow> {
    const [row] = await this.app.db
      .select()
      .from(conversations)
      .where(and(eq(conversations.id, parseId(id, 'Conversation')), eq(conversations.userId, viewer.userId)));
    if (!row) throw new NotFoundError('Conversation');
    return row;
  }

  async create(viewer: Viewer, title: string | null | undefined): Promise<ConversationRow> {
    const name = title?.trim() || DEFAULT_TITLE;
    new FieldProblems().check(name.length <= 200, 'title', 'Title must be at most 200 characters').throwIfAny();
    const [row] = await this.app.db.insert(conversations).values({ userId: viewer.userId, title: name }).returning();
    return row!;
  }

  async rename(viewer: Viewer, id: string, title: string): Promise<ConversationRow> {
    const name = title.trim();
    new FieldProblems()
      .check(name.length >= 1 && name.length <= 200, 'title', 'Title must be 1-200 characters')
      .throwIfAny();
    const [row] = await this.app.db
      .update(conversations)
      .set({ title: name, updatedAt: new Date() })
      .where(and(eq(conversations.id, parseId(id, 'Conversation')), eq(conversations.userId, viewer.userId)))
      .returning();
    if (!row) throw new NotFoundError('Conversation');
    return row;
  }

  async delete(viewer: Viewer, id: string): Promise<string> {
    const [row] = await this.app.db
      .delete(conversations)
      .where(and(eq(conversations.id, parseId(id, 'Conversation')), eq(conversations.userId, viewer.userId)))
      .returning({ id: conversations.id });
    if (!row) throw new NotFoundError('Conversation');
    return row.id;
  }

  /** Appends a message and marks the conversation active. */
  async store(
    conversationId: string,
    message: Partial<MessageRow> & Pick<MessageRow, 'role' | 'content'>,
    q: Queryable = this.app.db,
  ): Promise<MessageRow> {
    const [row] = await q
      .insert(messages)
      .values({ conversationId, ...message })
      .returning();
    await q
      .update(conversations)
      .set({ lastMessageAt: row!.createdAt, updatedAt: new Date() })
      .where(eq(conversations.id, conversationId));
    return row!;
  }
}
