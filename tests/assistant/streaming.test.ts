import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTIFY_MAX_BYTES } from '../../src/shared/bus-outbox.js';
import { pieces } from '../../src/modules/assistant/chunk-stream.js';
import { startFakeLlm } from '../helpers/fake-llm.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { subscribed, waitFor, wsClient } from '../helpers/ws.js';
import { closeAll } from '../helpers/teardown.js';

/**
 * A streamed reply's deltas: coalesced to at most one event per 50 ms, and cut under NOTIFY's
 * 8,000-byte payload limit in encoded bytes (a control character encodes to six), so a reply of
 * control characters no longer fails the turn.
 */
let s: TestServer;
let llm: Awaited<ReturnType<typeof startFakeLlm>>;
beforeAll(async () => {
  llm = await startFakeLlm();
  s = await startServer({ LLM_BASE_URL: llm.url, LLM_API_KEY: 'k', LLM_MODEL: 'fake-1', TIER_LIMIT_FREE: '100000' });
});
afterAll(() => closeAll(s, llm));

const SEND = `mutation S($c: ID!, $t: String!) { sendMessage(conversationId: $c, content: $t) { assistantMessage { content } } }`;

async function streamed(reply: string[]) {
  const a = await s.register();
  const c = (await s.ok(`mutation { createConversation { id } }`, {}, { token: a.token })).createConversation.id;
  const ws = wsClient(s.url, { authorization: `Bearer ${a.token}` });
  const stream = ws.subscribe(`subscription A($c: ID!) { assistantMessageStream(conversationId: $c) { delta done } }`, {
    c,
  });
  await subscribed(s, `assistant:${c}`);
  llm.set('ok', { reply });
  const content = (await s.ok(SEND, { c, t: 'go' }, { token: a.token })).sendMessage.assistantMessage.content;
  await waitFor(async () => stream.values.some((v) => v.assistantMessageStream.done), 'the last chunk');
  await ws.dispose();
  return { content, chunks: stream.values.map((v) => v.assistantMessageStream as { delta: string; done: boolean }) };
}

describe('streamed replies', () => {
  it('a delta of 4,000 control characters (24,000 bytes encoded) is streamed in pieces and the turn succeeds', async () => {
    const nasty = '\u0001'.repeat(4_000);
    const { content, chunks } = await streamed(['start ', nasty, ' end']);
    expect(content).toBe(`start ${nasty} end`);
    expect(chunks.map((c) => c.delta).join('')).toBe(content);
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    for (const c of chunks) expect(Buffer.byteLength(JSON.stringify(c))).toBeLessThan(NOTIFY_MAX_BYTES);
  });

  it('200 deltas 5 ms apart (about 1 s) arrive as far fewer events, at most one per 50 ms', async () => {
    const words = Array.from({ length: 200 }, (_, i) => `w${i} `);
    const { content, chunks } = await streamed(words);
    expect(chunks.map((c) => c.delta).join('')).toBe(content);
    expect(content).toBe(words.join(''));
    // About 1 s of deltas: 20 or so events (and the final one), never one per delta.
    expect(chunks.length).toBeLessThan(45);
  });

  it('pieces never split a code point and stay within the budget once encoded', () => {
    const text = `${'é'.repeat(50)}${'😀'.repeat(50)}${'\u0002'.repeat(50)}"\\`;
    const cut = pieces(text, 60);
    expect(cut.join('')).toBe(text);
    for (const p of cut) {
      expect(Buffer.byteLength(JSON.stringify(p)) - 2).toBeLessThanOrEqual(60);
      // No lone surrogate at either end.
      expect(p).not.toMatch(/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/);
    }
  });
});
