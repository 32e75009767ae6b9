import { NOTIFY_MAX_BYTES } from '../../shared/bus-outbox.js';

/** Room left in a NOTIFY payload for a delta once the event around it is encoded. */
const EVENT_OVERHEAD_BYTES = 400;
export const CHUNK_EVERY_MS = 50;

/**
 * A streamed reply's deltas, coalesced: at most one event per CHUNK_EVERY_MS, each under NOTIFY's
 * payload limit in encoded bytes (a control character encodes to six), so neither many small
 * deltas nor one large one can flood the bus or fail the turn.
 */
export class ChunkStream {
  private buffer = '';
  private timer: NodeJS.Timeout | undefined;
  private sending: Promise<void> = Promise.resolve();
  private failed: Error | undefined;

  constructor(private readonly send: (delta: string) => Promise<void>) {}

  push(delta: string): void {
    this.buffer += delta;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.queue();
    }, CHUNK_EVERY_MS);
  }

  /** Sends what is buffered now and waits for every send so far; rethrows a send's failure. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue();
    await this.sending;
    if (this.failed) throw this.failed;
  }

  private queue(): void {
    const text = this.buffer;
    this.buffer = '';
    if (!text) return;
    this.sending = this.sending.then(async () => {
      for (const piece of pieces(text, NOTIFY_MAX_BYTES - EVENT_OVERHEAD_BYTES))
        await this.send(piece).catch((error: Error) => (this.failed ??= error));
    });
  }
}

/** `text` cut into pieces whose JSON encoding stays within `budget` bytes, never inside a code point. */
export function pieces(text: string, budget: number): string[] {
  const out: string[] = [];
  let piece = '';
  let bytes = 0;
  for (const ch of text) {
    const cost = Buffer.byteLength(JSON.stringify(ch)) - 2;
    if (bytes + cost > budget && piece) {
      out.push(piece);
      piece = '';
      bytes = 0;
    }
    piece += ch;
    bytes += cost;
  }
  if (piece) out.push(piece);
  return out;
}
