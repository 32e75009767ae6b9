import type { ToolCall, ToolCallDelta } from './openai-compatible.js';

/**
 * Assembles streamed tool calls. Providers that claim OpenAI compatibility differ: some send
 * `index`, some leave it out; some repeat `id`, some send it in the first chunk only; arguments come
 * whole or in many pieces. A piece belongs to the call with its index, else to the call with its id,
 * else to the call still open (the last one).
 */
export class ToolCallAccumulator {
  private readonly calls: Array<{ index?: number; id?: string; name: string; arguments: string }> = [];

  add(delta: ToolCallDelta): void {
    let call =
      delta.index !== undefined
        ? this.calls.find((c) => c.index === delta.index)
        : delta.id !== undefined
          ? this.calls.find((c) => c.id === delta.id)
          : this.calls.at(-1);
    // A new id without an index starts a new call, even while another is open.
    if (!call || (delta.index === undefined && delta.id !== undefined && call.id !== delta.id)) {
      call = { index: delta.index, id: delta.id, name: '', arguments: '' };
      this.calls.push(call);
    }
    if (delta.id && !call.id) call.id = delta.id;
    if (delta.name) call.name += call.name === delta.name ? '' : delta.name;
    if (delta.arguments) call.arguments += delta.arguments;
  }

  get size(): number {
    return this.calls.length;
  }

  /** The calls in the order they started, each with an id (made up when the provider sent none). */
  finish(makeId: (n: number) => string): ToolCall[] {
    return this.calls.map((c, n) => ({
      id: c.id ?? makeId(n),
      type: 'function',
      function: { name: c.name, arguments: c.arguments },
    }));
  }
}
