import { ChunkStream } from './chunk-stream.js';
import { randomUUID } from 'node:crypto';
import type { Queryable, Tx } from '../../db/client.js';
import { modelCalls } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import { publish } from '../../shared/event-bus.js';
import type { Viewer } from '../../shared/viewer.js';
import type { UsageService } from '../usage/index.js';
import type { MonthlyUsage } from '../usage/index.js';
import {
  type ChatMessage,
  type ChatProvider,
  ProviderError,
  type ToolCall,
  type ToolSpec,
  estimateTokens,
} from './provider/openai-compatible.js';
import { ToolCallAccumulator } from './provider/tool-calls.js';

export interface ModelReply {
  messageId: string;
  text: string;
  toolCalls: ToolCall[];
  usage: { promptTokens: number; completionTokens: number };
  finishReason: string | null;
  latencyMs: number;
  /** The hold on the call's tokens (a reservation row), settled when it is metered. */
  hold: string;
}

/** The tokens to hold for a call: its prompt and tools as estimated, and the most it may answer. */
export function estimateCall(app: App, prompt: ChatMessage[], tools: ToolSpec[] | undefined): number {
  const text = prompt.reduce(
    (n, m) =>
      n +
      estimateTokens(m.content ?? '') +
      ('tool_calls' in m && m.tool_calls ? estimateTokens(JSON.stringify(m.tool_calls)) : 0),
    0,
  );
  return text + (tools ? estimateTokens(JSON.stringify(tools)) : 0) + app.config.LLM_MAX_TOKENS;
}

/**
 * One streamed model call for a conversation, after its tokens were held (`hold`): text
 * deltas go out on assistantMessageStream as they come, tool calls are assembled. A failed call gives
 * its reservation back and is logged (status error, timeout or cancelled); the caller meters a
 * successful one with `meter` in the transaction that stores its message.
 */
export class ModelCaller {
  constructor(
    private readonly app: App,
    private readonly usage: UsageService,
    readonly provider: ChatProvider,
  ) {}

  async call(
    viewer: Viewer,
    conversationId: string,
    prompt: ChatMessage[],
    tools: ToolSpec[] | undefined,
    hold: string,
    signal: AbortSignal | undefined,
    stream = true,
  ): Promise<ModelReply> {
    const messageId = randomUUID();
    const timeout = AbortSignal.timeout(this.app.config.LLM_TIMEOUT_MS);
    const abort = signal ? AbortSignal.any([signal, timeout]) : timeout;
    const calls = new ToolCallAccumulator();
    let text = '';
    let counted: { promptTokens: number; completionTokens: number } | undefined;
    let finishReason: string | null = null;
    const started = performance.now();
    const latency = () => Math.round(performance.now() - started);
    const chunks = stream ? new ChunkStream((delta) => this.chunk(conversationId, messageId, delta, false)) : null;
    try {
      for await (const part of this.provider.stream(prompt, {
        signal: abort,
        maxTokens: this.app.config.LLM_MAX_TOKENS,
        tools,
      })) {
        if ('usage' in part) counted = part.usage;
        else if ('finish' in part) finishReason = part.finish;
        else if ('toolCall' in part) calls.add(part.toolCall);
        else if (part.delta) {
          text += part.delta;
          chunks?.push(part.delta);
        }
      }
      await chunks?.flush();
    } catch (error) {
      await chunks?.flush().catch(() => {});
      await this.usage.releaseHold(viewer, hold);
      // The failed call is logged too (nothing was charged for it).
      const status = error instanceof ProviderError ? error.failure : 'error';
      await this.log(this.app.db, {
        conversationId,
        userId: viewer.userId,
        model: this.provider.model,
        promptTokens: counted?.promptTokens ?? 0,
        completionTokens: counted?.completionTokens ?? 0,
        latencyMs: latency(),
        status,
        finishReason,
      }).catch(() => {});
      if (stream) await this.chunk(conversationId, messageId, '', true).catch(() => {});
      throw error;
    }
    const toolCalls = calls.finish((n) => `call_${messageId.slice(0, 8)}_${n}`);
    const usage = counted ?? {
      promptTokens: estimateCall(this.app, prompt, tools) - this.app.config.LLM_MAX_TOKENS,
      completionTokens: estimateTokens(text + JSON.stringify(toolCalls)),
    };
    return { messageId, text, toolCalls, usage, finishReason, latencyMs: latency(), hold };
  }

  /** Meters a finished call in `tx` (its record, the month's total, the reservation released) and logs it. */
  async meter(tx: Tx, viewer: Viewer, conversationId: string, reply: ModelReply): Promise<MonthlyUsage> {
    const reserved = await this.usage.settleHold(tx, reply.hold);
    const monthly = await this.usage.add(
      tx,
      viewer,
      { model: this.provider.model, ...reply.usage, conversationId },
      reserved,
    );
    await this.log(tx, {
      conversationId,
      userId: viewer.userId,
      model: this.provider.model,
      ...reply.usage,
      latencyMs: reply.latencyMs,
      status: 'ok',
      finishReason: reply.finishReason,
    });
    return monthly;
  }

  /** The model-call log: one row per call, ok or not. */
  private async log(q: Queryable, call: typeof modelCalls.$inferInsert): Promise<void> {
    await q.insert(modelCalls).values(call);
  }

  async chunk(conversationId: string, messageId: string, delta: string, done: boolean): Promise<void> {
    await publish(this.app.db, { topic: 'assistant.chunk', conversationId, messageId, delta, done });
  }
}
