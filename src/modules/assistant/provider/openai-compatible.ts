import { AppError, ErrorCode } from '../../../shared/errors.js';

/** A call the model made, as Chat Completions sends it back in the assistant message. */
export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type ChatMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string | null; tool_calls?: ToolCall[] }
  | { role: 'tool'; content: string; tool_call_id: string };

/** A tool offered to the model (Chat Completions `tools`). */
export interface ToolSpec {
  type: 'function';
  function: { name: string; description: string; parameters: unknown };
}

/** A piece of a streamed tool call: providers differ in which of these fields each chunk carries. */
export interface ToolCallDelta {
  index?: number;
  id?: string;
  name?: string;
  arguments?: string;
}

export type ChatPart =
  | { delta: string }
  | { usage: { promptTokens: number; completionTokens: number } }
  | { finish: string }
  | { toolCall: ToolCallDelta };

export interface StreamOptions {
  signal: AbortSignal;
  maxTokens: number;
  tools?: ToolSpec[];
}

/** What Orbit needs from a model provider; other providers implement the same. */
export interface ChatProvider {
  readonly model: string;
  stream(messages: ChatMessage[], opts: StreamOptions): AsyncIterable<ChatPart>;
}

/** How a failed model call ended, as the model-call log records it. */
export type CallFailure = 'error' | 'timeout' | 'cancelled';

export class ProviderError extends AppError {
  constructor(
    message: string,
    readonly failure: CallFailure = 'error',
  ) {
    super(ErrorCode.INTERNAL_SERVER_ERROR, message, { reason: 'ASSISTANT_UNAVAILABLE' });
  }
}

/**
 * Any OpenAI-compatible Chat Completions endpoint, streamed (SSE `data:` lines ending with
 * `[DONE]`) over plain fetch. Token counts come from the provider's `usage` (requested with
 * stream_options.include_usage).
 */
export class OpenAiCompatibleProvider implements ChatProvider {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey: string | undefined,
    readonly model: string,
  ) {}

  async *stream(messages: ChatMessage[], opts: StreamOptions): AsyncIterable<ChatPart> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl.replace(/\/$/, '')}/chat/completions`, {
        method: 'POST',
        signal: opts.signal,
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          ...(this.apiKey ? { authorization: `Bearer ${this.apiKey}` } : {}),
        },
        body: JSON.stringify({
          model: this.model,
          messages,
          stream: true,
          max_tokens: opts.maxTokens,
          stream_options: { include_usage: true },
          ...(opts.tools?.length ? { tools: opts.tools } : {}),
        }),
      });
    } catch (error) {
      throw this.failure(error, opts.signal);
    }
    if (!res.ok || !res.body) {
      await res.body?.cancel().catch(() => {});
      throw new ProviderError(`The assistant provider answered HTTP ${res.status}`);
    }
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const bytes of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(bytes, { stream: true });
        let newline: number;
        while ((newline = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, newline).trim();
          buffer = buffer.slice(newline + 1);
          if (!line.startsWith('data:')) continue;
          const data = line.slice(5).trim();
          if (data === '[DONE]') return;
          const part = parseChunk(data);
          if (part.error) throw new ProviderError(`The assistant provider failed: ${part.error}`);
          if (part.delta) yield { delta: part.delta };
          for (const toolCall of part.toolCalls ?? []) yield { toolCall };
          if (part.usage) yield { usage: part.usage };
          if (part.finish) yield { finish: part.finish };
        }
      }
    } catch (error) {
      if (error instanceof ProviderError) throw error;
      throw this.failure(error, opts.signal);
    }
  }

  private failure(error: unknown, signal: AbortSignal): ProviderError {
    if (signal.aborted) {
      const reason = signal.reason as { name?: string } | undefined;
      return reason?.name === 'TimeoutError'
        ? new ProviderError('The assistant did not answer in time', 'timeout')
        : new ProviderError('The request was cancelled', 'cancelled');
    }
    return new ProviderError('The assistant provider could not be reached');
  }
}

interface RawToolCall {
  index?: number;
  id?: string;
  function?: { name?: string; arguments?: string | Record<string, unknown> | null };
}

function parseChunk(data: string): {
  delta?: string;
  toolCalls?: ToolCallDelta[];
  usage?: { promptTokens: number; completionTokens: number };
  finish?: string;
  error?: string;
} {
  try {
    const json = JSON.parse(data) as {
      choices?: Array<{
        delta?: { content?: string | null; tool_calls?: RawToolCall[] };
        finish_reason?: string | null;
      }>;
      usage?: { prompt_tokens?: number; completion_tokens?: number } | null;
      error?: { message?: string };
    };
    if (json.error) return { error: json.error.message ?? 'unknown error' };
    return {
      delta: json.choices?.[0]?.delta?.content ?? undefined,
      toolCalls: json.choices?.[0]?.delta?.tool_calls?.map(toolCallDelta),
      finish: json.choices?.[0]?.finish_reason ?? undefined,
      usage: json.usage
        ? { promptTokens: json.usage.prompt_tokens ?? 0, completionTokens: json.usage.completion_tokens ?? 0 }
        : undefined,
    };
  } catch {
    return { error: 'unreadable stream data' };
  }
}

function toolCallDelta(raw: RawToolCall): ToolCallDelta {
  const args = raw.function?.arguments;
  return {
    index: typeof raw.index === 'number' ? raw.index : undefined,
    id: typeof raw.id === 'string' && raw.id ? raw.id : undefined,
    name: raw.function?.name || undefined,
    // Some providers send the arguments as an object rather than a JSON string.
    arguments: args === undefined || args === null ? undefined : typeof args === 'string' ? args : JSON.stringify(args),
  };
}

/** A rough token count (4 characters a token) for budgets and history trimming before the provider counts. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
