import { randomUUID } from 'node:crypto';
import { and, desc, eq } from 'drizzle-orm';
import type { App } from '../../shared/app.js';
import type { Queryable } from '../../db/client.js';
import { conversations, messages, modelCalls } from '../../db/schema/index.js';
import { FieldProblems, NotFoundError } from '../../shared/errors.js';
import { parseId } from '../../shared/ids.js';
import { type Connection, countWhere, cursorCast, keysetPage, pageRequest } from '../../shared/pagination.js';
import type { Viewer } from '../../shared/viewer.js';
import { publish } from '../../shared/event-bus.js';
import type { UsageService } from '../usage/index.js';
import type { MonthlyUsage } from '../usage/index.js';
import { type ChatMessage, type ChatProvider, OpenAiCompatibleProvider, estimateTokens, ProviderError } from './assistant.provider.js';
import type { ConversationRow, MessageRow } from './conversation.type.js';

export const DEFAULT_TITLE = 'New conversation';
const CONTENT_MAX = 32_000;
/** NOTIFY payloads stay far below 8,000 bytes. */
const CHUNK_MAX = 1500;

/** Conversations belong to one user; anyone else gets NOT_FOUND. */
export class ConversationService {
  readonly provider: ChatProvider | null;

  constructor(
    private readonly app: App,
    private readonly usage: UsageService,
  ) {
    const c = app.config;
    this.provider = c.LLM_BASE_URL ? new OpenAiCompatibleProvider(c.LLM_BASE_URL, c.LLM_API_KEY, c.LLM_MODEL) : null;
  }

  async list(viewer: Viewer, first: number | null | undefined, after: string | null | undefined): Promise<Connection<ConversationRow>> {
    const page = pageRequest(first, after);
    const mine = eq(conversations.userId, viewer.userId);
    return keysetPage(
      page,
      { expr: conversations.updatedAt, id: conversations.id, dir: 'DESC', cast: cursorCast.timestamptz, cursorOf: (r) => [r.updatedAt.toISOString(), r.id] },
      (past, order, limit) => this.app.db.select().from(conversations).where(and(mine, past)).orderBy(...order).limit(limit),
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
    new FieldProblems().check(name.length >= 1 && name.length <= 200, 'title', 'Title must be 1-200 characters').throwIfAny();
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

  /**
   * Stores the user's message; with a model configured, reserves budget, streams the reply through
   * assistantMessageStream chunk by chunk, and stores the reply with its usage in one transaction.
   */
  async send(viewer: Viewer, id: string, content: string, signal?: AbortSignal) {
    new FieldProblems().check(content.trim().length >= 1 && content.length <= CONTENT_MAX, 'content', `Content must be 1-${CONTENT_MAX} characters`).throwIfAny();
    const conversation = await this.get(viewer, id);
    const history = this.provider ? await this.history(conversation.id) : [];
    const estimate = estimateTokens(content) + history.reduce((n, m) => n + estimateTokens(m.content), 0) + this.app.config.LLM_MAX_TOKENS;
    // No model call starts without budget; nothing is stored then either.
    if (this.provider) await this.usage.reserve(viewer, estimate);
    let userMessage: MessageRow;
    try {
      userMessage = await this.store(conversation.id, { role: 'USER', content });
    } catch (error) {
      if (this.provider) await this.usage.release(viewer, estimate);
      throw error;
    }
    if (!this.provider) return { userMessage, assistantMessage: null, usage: await this.usage.get(viewer) };
    const reply = await this.callModel(viewer, conversation.id, [...history, { role: 'user', content }], estimate, signal);
    return { userMessage, ...reply };
  }

  private async callModel(viewer: Viewer, conversationId: string, prompt: ChatMessage[], estimate: number, signal?: AbortSignal): Promise<{ assistantMessage: MessageRow; usage: MonthlyUsage }> {
    const provider = this.provider!;
    const messageId = randomUUID();
    const timeout = AbortSignal.timeout(this.app.config.LLM_TIMEOUT_MS);
    const abort = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let text = '';
    let counted: { promptTokens: number; completionTokens: number } | undefined;
    let finishReason: string | null = null;
    const started = performance.now();
    const latency = () => Math.round(performance.now() - started);
    try {
      for await (const part of provider.stream(prompt, { signal: abort, maxTokens: this.app.config.LLM_MAX_TOKENS })) {
        if ('usage' in part) counted = part.usage;
        else if ('finish' in part) finishReason = part.finish;
        else if (part.delta) {
          text += part.delta;
          for (let i = 0; i < part.delta.length; i += CHUNK_MAX) await this.chunk(conversationId, messageId, part.delta.slice(i, i + CHUNK_MAX), false);
        }
      }
    } catch (error) {
      await this.usage.release(viewer, estimate);
      // The failed call is logged too (nothing was charged for it).
      const status = error instanceof ProviderError ? error.failure : 'error';
      await this.logCall(this.app.db, { conversationId, userId: viewer.userId, model: provider.model, promptTokens: counted?.promptTokens ?? 0, completionTokens: counted?.completionTokens ?? 0, latencyMs: latency(), status, finishReason }).catch(() => {});
      await this.chunk(conversationId, messageId, '', true).catch(() => {});
      throw error;
    }
    const usage = counted ?? { promptTokens: prompt.reduce((n, m) => n + estimateTokens(m.content), 0), completionTokens: estimateTokens(text) };
    const result = await this.app.db.transaction(async (tx) => {
      const assistantMessage = await this.store(conversationId, { id: messageId, role: 'ASSISTANT', content: text, model: provider.model, ...usage }, tx);
      const monthly = await this.usage.add(tx, viewer, { model: provider.model, ...usage, conversationId }, estimate);
      await this.logCall(tx, { conversationId, userId: viewer.userId, model: provider.model, ...usage, latencyMs: latency(), status: 'ok', finishReason });
      return { assistantMessage, usage: monthly };
    });
    await this.chunk(conversationId, messageId, '', true);
    return result;
  }

  /** The model-call log: one row per call, ok or not. */
  private async logCall(q: Queryable, call: typeof modelCalls.$inferInsert): Promise<void> {
    await q.insert(modelCalls).values(call);
  }

  private async chunk(conversationId: string, messageId: string, delta: string, done: boolean): Promise<void> {
    await publish(this.app.db, { topic: 'assistant.chunk', conversationId, messageId, delta, done });
  }

  private async store(conversationId: string, message: Partial<MessageRow> & Pick<MessageRow, 'role' | 'content'>, q: Queryable = this.app.db) {
    const [row] = await q.insert(messages).values({ conversationId, ...message }).returning();
    await q.update(conversations).set({ lastMessageAt: row!.createdAt, updatedAt: new Date() }).where(eq(conversations.id, conversationId));
    return row!;
  }

  /** The most recent messages that fit LLM_HISTORY_TOKENS (estimated), oldest first. */
  private async history(conversationId: string): Promise<ChatMessage[]> {
    const recent = await this.app.db.select().from(messages).where(eq(messages.conversationId, conversationId)).orderBy(desc(messages.seq)).limit(100);
    const picked: ChatMessage[] = [];
    let budget = this.app.config.LLM_HISTORY_TOKENS;
    for (const m of recent) {
      budget -= estimateTokens(m.content);
      if (budget < 0) break;
      picked.push({ role: m.role === 'ASSISTANT' ? 'assistant' : m.role === 'SYSTEM' ? 'system' : 'user', content: m.content });
    }
    return picked.reverse();
  }
}
