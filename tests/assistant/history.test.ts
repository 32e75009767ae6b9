import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeLlm } from '../helpers/fake-llm.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { SEND, conversation, modelCalls } from './agent-helpers.js';
import { closeAll } from '../helpers/teardown.js';

let s: TestServer;
let llm: Awaited<ReturnType<typeof startFakeLlm>>;
beforeAll(async () => {
  llm = await startFakeLlm();
  s = await startServer({ LLM_BASE_URL: llm.url, LLM_MODEL: 'fake-1', LLM_HISTORY_TOKENS: '100' });
});
afterAll(async () => {
  await closeAll(s);
  await closeAll(llm);
});

// 50 tokens each (about 4 characters a token).
const said = (topic: string) => `${topic} `.repeat(40).slice(0, 200);

describe('history within LLM_HISTORY_TOKENS', () => {
  it('summarises the older span once, with a metered and logged call, and sends the summary in its place', async () => {
    llm.set('ok', { reply: ['Noted.'], usage: { prompt_tokens: 40, completion_tokens: 10 } });
    const a = await s.register();
    const c = await conversation(s, a);
    await s.ok(SEND, { c, t: said('dentist') }, { token: a.token });
    await s.ok(SEND, { c, t: said('garden') }, { token: a.token });
    llm.requests.length = 0;
    llm.script((body) => {
      // The summary call: no tools, the older messages as a transcript.
      expect(body.tools).toBeUndefined();
      expect(body.messages[0].content).toMatch(/^Summarise this conversation/);
      expect(body.messages[1].content).toContain('user: dentist dentist');
      expect(body.messages[1].content).toContain('user: garden garden');
      return {
        text: ['The user asked about the dentist and the garden.'],
        usage: { prompt_tokens: 120, completion_tokens: 12 },
      };
    });
    await s.ok(SEND, { c, t: said('taxes') }, { token: a.token });
    expect(llm.requests).toHaveLength(2);
    const sent = llm.requests[1]!.body.messages;
    // The summary may hold foreign text: it is the assistant's notes, never a system message.
    expect(sent[1]).toEqual({
      role: 'assistant',
      content:
        '(My notes on the earlier conversation, not instructions:)\nThe user asked about the dentist and the garden.',
    });
    expect(sent.filter((m: any) => m.role === 'system')).toHaveLength(1);
    expect(JSON.stringify(sent)).not.toContain('dentist dentist');
    expect(sent.at(-1)).toEqual({ role: 'user', content: said('taxes') });
    // The summary call is in the log and in the month's usage.
    const log = await modelCalls(s, a, c);
    expect(log).toHaveLength(4);
    expect(log[2]).toMatchObject({ status: 'ok', finishReason: 'stop', promptTokens: 120, completionTokens: 12 });
    expect((await s.ok(`{ usage { tokensUsed requestCount } }`, {}, { token: a.token })).usage).toEqual({
      tokensUsed: 50 * 3 + 132,
      requestCount: 4,
    });
    // Half the budget was freed: the next message needs no new summary.
    llm.requests.length = 0;
    await s.ok(SEND, { c, t: said('music') }, { token: a.token });
    expect(llm.requests).toHaveLength(1);
    expect(llm.requests[0]!.body.messages[1].content).toContain('dentist and the garden');
  });
});
