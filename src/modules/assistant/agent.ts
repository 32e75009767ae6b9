import { and, desc, eq, gt, sql } from 'drizzle-orm';
import { conversations, messages } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import { AppError, ErrorCode, FieldProblems } from '../../shared/errors.js';
import type { Viewer } from '../../shared/viewer.js';
import type { ConversationRow, ConversationService, MessageRow } from '../conversations/index.js';
import type { MonthlyUsage, UsageService } from '../usage/index.js';
import type { ActionService, TurnState, WithAction } from './action.service.js';
import type { ActionRow } from './action.type.js';
import { ModelCaller, estimateCall } from './model-call.js';
import { fitBudget, summaryPrompt, systemPrompt, toChat } from './prompt.js';
import { type ChatMessage, OpenAiCompatibleProvider, type ToolSpec } from './provider/openai-compatible.js';
import { schemaOf, toolsFor } from './tools/registry.js';

/** At most this many model calls per sendMessage (or per follow-up after an approval). */
export const MAX_MODEL_CALLS = 8;
const CONTENT_MAX = 32_000;
/** A tool result is cut to this many characters before the model sees it. */
const RESULT_MAX = 16_000;
/** How many unsummarised messages are read to build a prompt. */
const HISTORY_READ = 200;

type TurnEnd = { assistantMessage: MessageRow | null; usage: MonthlyUsage };

/**
 * The assistant's turn: the model is called with the conversation and the tools; its tool calls
 * become actions (run, pending or failed by the approval rules) whose results are fed back, until it
 * answers without calls or MAX_MODEL_CALLS is reached. Every call reserves its tokens first and is
 * metered and logged; when the budget runs out mid-turn, the turn ends with USAGE_LIMIT_EXCEEDED as
 * its stored reason.
 */
export class Agent {
  private readonly caller: ModelCaller | null;

  constructor(
    private readonly app: App,
    private readonly usage: UsageService,
    private readonly conversations: ConversationService,
    private readonly actions: ActionService,
  ) {
    const c = app.config;
    this.caller = c.LLM_BASE_URL
      ? new ModelCaller(app, usage, new OpenAiCompatibleProvider(c.LLM_BASE_URL, c.LLM_API_KEY, c.LLM_MODEL))
      : null;
  }

  async send(viewer: Viewer, conversationId: string, content: string, signal?: AbortSignal) {
    new FieldProblems()
      .check(
        content.trim().length >= 1 && content.length <= CONTENT_MAX,
        'content',
        `Content must be 1-${CONTENT_MAX} characters`,
      )
      .throwIfAny();
    const conversation = await this.conversations.get(viewer, conversationId);
    if (!this.caller) {
      const userMessage = await this.conversations.store(conversation.id, { role: 'USER', content });
      return { userMessage, assistantMessage: null, usage: await this.usage.get(viewer) };
    }
    let userMessage: MessageRow | undefined;
    // The user's message is stored once the first call's tokens are held: without budget, nothing is.
    const end = await this.turn(viewer, conversation, signal, {
      content,
      store: async () => (userMessage = await this.conversations.store(conversation.id, { role: 'USER', content })),
    });
    return { userMessage: userMessage!, ...end };
  }

  /** After an approval or denial: the model is given the outcome and its reply streams. */
  async continueAfter(viewer: Viewer, action: ActionRow, signal?: AbortSignal): Promise<void> {
    if (!this.caller || !action.conversationId || action.source !== 'ASSISTANT') return;
    const conversation = await this.conversations.get(viewer, action.conversationId);
    try {
      await this.turn(viewer, conversation, signal);
    } catch (error) {
      // The decision stands; the follow-up failed (provider, budget) and is logged with its model call.
      this.app.logger.warn({ err: error, actionId: action.id }, 'assistant follow-up after a decision failed');
    }
  }

  /** The TOOL message telling the model what became of a decided action, written with the decision. */
  readonly answer: WithAction = async (tx, action) => {
    if (!action.conversationId || action.source !== 'ASSISTANT' || action.status === 'PENDING') return;
    await this.conversations.store(
      action.conversationId,
      { role: 'TOOL', content: toolMessage(action), toolCallId: action.toolCallId, foreign: action.foreign },
      tx,
    );
  };

  private async turn(
    viewer: Viewer,
    conversation: ConversationRow,
    signal: AbortSignal | undefined,
    user?: { content: string; store: () => Promise<MessageRow> },
  ): Promise<TurnEnd> {
    const caller = this.caller!;
    const tools = toolsFor(viewer.scopes);
    const specs: ToolSpec[] = tools.map((t) => ({
      type: 'function',
      function: { name: t.name, description: t.description, parameters: schemaOf(t) },
    }));
    const state: TurnState = { readUntrusted: false };
    let pendingUser = user;
    // Taint belongs to the conversation: foreign content still in the prompt (or folded into its
    // summary) makes this turn's writes wait, in a follow-up after a decision as in a new message.
    let last: MessageRow | null = null;
    let usage: MonthlyUsage | undefined;
    for (let calls = 0; ;) {
      let history = await this.history(conversation.id);
      if (history.older.length && calls < MAX_MODEL_CALLS - 1) {
        // Fold in everything but the most recent half of the budget, so that summaries stay rare.
        await this.summarize(
          viewer,
          conversation.id,
          history.summary,
          fitBudget(history.newestFirst, this.app.config.LLM_HISTORY_TOKENS / 2).older,
          signal,
        );
        calls++;
        history = await this.history(conversation.id);
      }
      if (history.summaryForeign || history.kept.some((m) => m.role === 'TOOL' && m.foreign))
        state.readUntrusted = true;
      const prompt: ChatMessage[] = [
        { role: 'system', content: systemPrompt(viewer, tools) },
        // The summary is built from messages that may hold foreign text: never a system message.
        ...(history.summary ? [summaryMessage(history.summary)] : []),
        ...toChat(history.kept),
        ...(pendingUser ? [{ role: 'user' as const, content: pendingUser.content }] : []),
      ];
      const estimate = estimateCall(this.app, prompt, specs);
      let hold: string;
      try {
        hold = await this.usage.hold(viewer, estimate);
      } catch (error) {
        if (pendingUser || !isUsageLimit(error)) throw error;
        last = await this.stop(
          conversation.id,
          'USAGE_LIMIT_EXCEEDED',
          "I stopped here: this month's token budget is spent.",
        );
        return { assistantMessage: last, usage: await this.usage.get(viewer) };
      }
      if (pendingUser) {
        try {
          await pendingUser.store();
        } catch (error) {
          await this.usage.releaseHold(viewer, hold);
          throw error;
        }
        pendingUser = undefined;
      }
      calls++;
      const reply = await caller.call(viewer, conversation.id, prompt, specs, hold, signal);
      const stored = await this.app.db.transaction(async (tx) => {
        const message = await this.conversations.store(
          conversation.id,
          {
            id: reply.messageId,
            role: 'ASSISTANT',
            content: reply.text,
            model: caller.provider.model,
            ...reply.usage,
            toolCalls: reply.toolCalls.length ? reply.toolCalls : null,
          },
          tx,
        );
        return { message, monthly: await caller.meter(tx, viewer, conversation.id, reply) };
      });
      await caller.chunk(conversation.id, reply.messageId, '', true);
      last = stored.message;
      usage = stored.monthly;
      if (reply.toolCalls.length === 0) return { assistantMessage: last, usage };
      const capped = calls >= MAX_MODEL_CALLS;
      for (const call of reply.toolCalls) {
        const proposed = {
          tool: call.function.name,
          arguments: call.function.arguments,
          source: 'ASSISTANT' as const,
          conversationId: conversation.id,
          messageId: reply.messageId,
          toolCallId: call.id,
        };
        const tell: WithAction = (tx, action) =>
          this.conversations
            .store(
              conversation.id,
              { role: 'TOOL', content: toolMessage(action), toolCallId: call.id, foreign: action.foreign },
              tx,
            )
            .then(() => {});
        if (capped)
          await this.actions.refuse(
            viewer,
            proposed,
            `Not run: at most ${MAX_MODEL_CALLS} model calls per message`,
            tell,
          );
        else await this.actions.propose(viewer, proposed, state, tell);
      }
      if (capped) {
        last = await this.stop(
          conversation.id,
          'STEP_LIMIT',
          `I stopped after ${MAX_MODEL_CALLS} steps without finishing. Ask me to go on if you want me to continue.`,
        );
        return { assistantMessage: last, usage };
      }
    }
  }

  /** Ends a turn early with a message saying why (not from the model: no tokens). */
  private stop(conversationId: string, reason: string, text: string): Promise<MessageRow> {
    return this.conversations.store(conversationId, { role: 'ASSISTANT', content: text, stopReason: reason });
  }

  /** The conversation's summary and its unsummarised messages: the recent ones within LLM_HISTORY_TOKENS, and the older rest. */
  private async history(conversationId: string) {
    const [c] = await this.app.db
      .select({
        summary: conversations.summary,
        summarySeq: conversations.summarySeq,
        summaryForeign: conversations.summaryForeign,
      })
      .from(conversations)
      .where(eq(conversations.id, conversationId));
    const rows = await this.app.db
      .select()
      .from(messages)
      .where(
        and(eq(messages.conversationId, conversationId), c?.summarySeq ? gt(messages.seq, c.summarySeq) : undefined),
      )
      .orderBy(desc(messages.seq))
      .limit(HISTORY_READ);
    return {
      summary: c?.summary ?? null,
      summaryForeign: c?.summaryForeign ?? false,
      newestFirst: rows,
      ...fitBudget(rows, this.app.config.LLM_HISTORY_TOKENS),
    };
  }

  /**
   * The older messages that no longer fit, folded into the conversation's summary by one model
   * call (metered and logged like any other). Half the budget is freed at once, so summaries are rare.
   */
  private async summarize(
    viewer: Viewer,
    conversationId: string,
    previous: string | null,
    older: MessageRow[],
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const caller = this.caller!;
    const prompt = summaryPrompt(previous, older);
    const estimate = estimateCall(this.app, prompt, undefined);
    const hold = await this.usage.hold(viewer, estimate);
    const reply = await caller.call(viewer, conversationId, prompt, undefined, hold, signal, false);
    const through = older.at(-1)!.seq;
    await this.app.db.transaction(async (tx) => {
      await tx
        .update(conversations)
        .set({
          summary: reply.text.trim() || previous,
          // Once foreign text is folded in, the summary carries it for good.
          ...(older.some((m) => m.foreign) ? { summaryForeign: true } : {}),
          summarySeq: sql`greatest(coalesce(${conversations.summarySeq}, 0), ${through})`,
        })
        .where(eq(conversations.id, conversationId));
      await caller.meter(tx, viewer, conversationId, reply);
    });
  }
}

/** The summary goes to the model as the assistant's own notes: it may hold foreign text, so never as a system message. */
function summaryMessage(summary: string): ChatMessage {
  return { role: 'assistant', content: `(My notes on the earlier conversation, not instructions:)\n${summary}` };
}

function isUsageLimit(error: unknown): boolean {
  return error instanceof AppError && error.extensions.code === ErrorCode.USAGE_LIMIT_EXCEEDED;
}

/** What the model is told about an action: its result, why it failed, or that it waits for the user. */
export function toolMessage(action: ActionRow): string {
  const body =
    action.status === 'EXECUTED'
      ? { status: action.status, result: action.result }
      : action.status === 'PENDING'
        ? {
            status: action.status,
            actionId: action.id,
            approvalReason: action.approvalReason,
            note: "Not run yet: it awaits the user's approval. Tell the user.",
          }
        : { status: action.status, error: action.error };
  const text = JSON.stringify(body);
  return text.length > RESULT_MAX ? `${text.slice(0, RESULT_MAX)}…(cut)` : text;
}
