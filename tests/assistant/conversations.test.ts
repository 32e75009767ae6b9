import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { notifications } from '../../src/db/schema/index.js';
import type { Account } from '../helpers/client.js';
import { startFakeLlm } from '../helpers/fake-llm.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { subscribed, waitFor, wsClient } from '../helpers/ws.js';
import { closeAll } from '../helpers/teardown.js';

let s: TestServer;
let plain: TestServer;
let llm: Awaited<ReturnType<typeof startFakeLlm>>;
beforeAll(async () => {
  llm = await startFakeLlm();
  [s, plain] = await Promise.all([
    startServer({
      LLM_BASE_URL: llm.url,
      LLM_API_KEY: 'test-key',
      LLM_MODEL: 'fake-1',
      LLM_TIMEOUT_MS: '800',
      TIER_LIMIT_FREE: '1000',
      TIER_LIMIT_STARTER: '5000',
    }),
    startServer(),
  ]);
});
afterAll(async () => {
  await closeAll(s);
  await closeAll(plain);
  await closeAll(llm);
});
beforeEach(() =>
  llm.set('ok', { reply: ['Hello', ', ', 'world', '!'], usage: { prompt_tokens: 40, completion_tokens: 10 } }),
);

const SEND = `mutation S($c: ID!, $t: String!) { sendMessage(conversationId: $c, content: $t) {
  userMessage { id role content } assistantMessage { id role content model promptTokens completionTokens } usage { tokensUsed tokenLimit remainingTokens requestCount } } }`;
const newConversation = async (server: TestServer, who: Account, title?: string) =>
  (
    await server.ok(
      `mutation C($t: String) { createConversation(title: $t) { id title } }`,
      { t: title },
      { token: who.token },
    )
  ).createConversation;

describe('conversations', () => {
  it('belong to their owner; others get NOT_FOUND everywhere', async () => {
    const [a, b] = [await s.register(), await s.register()];
    const c = await newConversation(s, a);
    expect(c.title).toBe('New conversation');
    const queries: Array<[string, Record<string, unknown>]> = [
      [`query Q($id: ID!) { conversation(id: $id) { id } }`, { id: c.id }],
      [`mutation M($id: ID!) { renameConversation(id: $id, title: "x") { id } }`, { id: c.id }],
      [`mutation M($id: ID!) { deleteConversation(id: $id) }`, { id: c.id }],
      [SEND, { c: c.id, t: 'hi' }],
      [
        `mutation M($id: ID!) { recordUsage(input: { model: "m", promptTokens: 1, completionTokens: 1, conversationId: $id }) { tokensUsed } }`,
        { id: c.id },
      ],
    ];
    for (const [q, v] of queries) expect((await s.fail(q, v, { token: b.token })).extensions?.code).toBe('NOT_FOUND');
    expect((await s.ok(`{ conversations { totalCount } }`, {}, { token: b.token })).conversations.totalCount).toBe(0);
    const renamed = await s.ok(
      `mutation M($id: ID!) { renameConversation(id: $id, title: "Plans") { title } }`,
      { id: c.id },
      { token: a.token },
    );
    expect(renamed.renameConversation.title).toBe('Plans');
  });

  it('without a model, stores the message and returns assistantMessage null', async () => {
    const a = await plain.register();
    const c = await newConversation(plain, a);
    const res = (await plain.ok(SEND, { c: c.id, t: 'note to self' }, { token: a.token })).sendMessage;
    expect(res.userMessage).toMatchObject({ role: 'USER', content: 'note to self' });
    expect(res.assistantMessage).toBeNull();
    expect(res.usage).toMatchObject({ tokensUsed: 0, requestCount: 0, tokenLimit: 100000 });
  });

  it('streams the reply chunk by chunk, then stores it with the provider usage', async () => {
    const a = await s.register();
    const c = await newConversation(s, a);
    const ws = wsClient(s.url, { authorization: `Bearer ${a.token}` });
    const stream = ws.subscribe(
      `subscription A($c: ID!) { assistantMessageStream(conversationId: $c) { conversationId messageId delta done } }`,
      { c: c.id },
    );
    await subscribed(s, `assistant:${c.id}`);
    const res = (await s.ok(SEND, { c: c.id, t: 'Say hello' }, { token: a.token })).sendMessage;
    expect(res.assistantMessage).toEqual({
      id: expect.any(String),
      role: 'ASSISTANT',
      content: 'Hello, world!',
      model: 'fake-1',
      promptTokens: 40,
      completionTokens: 10,
    });
    expect(res.usage).toEqual({ tokensUsed: 50, tokenLimit: 1000, remainingTokens: 950, requestCount: 1 });
    await waitFor(async () => stream.values.some((v) => v.assistantMessageStream.done), 'the last chunk');
    const chunks = stream.values.map((v) => v.assistantMessageStream);
    // Deltas are coalesced (at most one event per 50 ms): the four 5 ms apart arrive as one or a few.
    expect(chunks.map((x) => x.delta).join('')).toBe('Hello, world!');
    expect(chunks.at(-1)).toMatchObject({ delta: '', done: true });
    expect(chunks.filter((x) => x.done)).toHaveLength(1);
    expect(chunks.length).toBeLessThan(5);
    expect(new Set(chunks.map((x) => x.messageId))).toEqual(new Set([res.assistantMessage.id]));
    // The provider got the system prompt, the history, the tools and the key.
    const last = llm.requests.at(-1)!;
    expect(last.body).toMatchObject({
      model: 'fake-1',
      stream: true,
      messages: [{ role: 'system' }, { role: 'user', content: 'Say hello' }],
    });
    expect(last.body.messages[0].content).toContain('today is');
    expect(last.body.tools.map((t: any) => t.function.name)).toContain('create_task');
    expect(last.headers.authorization).toBe('Bearer test-key');
    const page = await s.ok(
      `query Q($id: ID!) { conversation(id: $id) { lastMessageAt messages(first: 10) { totalCount edges { node { role content } } } } }`,
      { id: c.id },
      { token: a.token },
    );
    expect(page.conversation.messages.edges.map((e: any) => e.node.role)).toEqual(['USER', 'ASSISTANT']);
    await s.ok(SEND, { c: c.id, t: 'Again' }, { token: a.token });
    expect(llm.requests.at(-1)!.body.messages.map((m: any) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    await ws.dispose();
  });

  it("refuses another user's stream with NOT_FOUND", async () => {
    const [a, b] = [await s.register(), await s.register()];
    const c = await newConversation(s, a);
    const ws = wsClient(s.url, { authorization: `Bearer ${b.token}` });
    const stream = ws.subscribe(`subscription A($c: ID!) { assistantMessageStream(conversationId: $c) { delta } }`, {
      c: c.id,
    });
    await stream.completed;
    expect(JSON.stringify(stream.errors)).toContain('NOT_FOUND');
    await ws.dispose();
  });

  it('reports a provider failure or a timeout clearly, without a stack, and charges nothing', async () => {
    const a = await s.register();
    const c = await newConversation(s, a);
    for (const [behaviour, message] of [
      ['http500', /HTTP 500/],
      ['error', /model overloaded/],
      ['slow', /did not answer in time/],
    ] as const) {
      llm.set(behaviour);
      const e = await s.fail(SEND, { c: c.id, t: 'hello?' }, { token: a.token });
      expect(e.message).toMatch(message);
      expect(e.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
      expect(e.extensions?.stacktrace).toBeUndefined();
    }
    const usage = (await s.ok(`{ usage { tokensUsed requestCount } }`, {}, { token: a.token })).usage;
    expect(usage).toEqual({ tokensUsed: 0, requestCount: 0 });
    // The failed attempts released their reservations: a call still starts.
    llm.set('ok');
    expect((await s.ok(SEND, { c: c.id, t: 'ok now' }, { token: a.token })).sendMessage.assistantMessage.content).toBe(
      'Hello, world!',
    );
    // Every call is in the model-call log, the failed ones with how they ended.
    const log = (
      await s.ok(
        `query C($id: ID!) { conversation(id: $id) { modelCalls { model status finishReason promptTokens completionTokens latencyMs } } }`,
        { id: c.id },
        { token: a.token },
      )
    ).conversation.modelCalls;
    expect(log.map((m: any) => m.status)).toEqual(['error', 'error', 'timeout', 'ok']);
    expect(log[3]).toMatchObject({ model: 'fake-1', finishReason: 'stop', promptTokens: 40, completionTokens: 10 });
    expect(log[2].latencyMs).toBeGreaterThanOrEqual(700);
    for (const m of log.slice(0, 3))
      expect(m).toMatchObject({ finishReason: null, promptTokens: 0, completionTokens: 0 });
  });
});

describe('budgets', () => {
  it('lists tier limits; usage per month; recordUsage takes a session or a WRITE key, not a READ key', async () => {
    const limits = (await s.ok(`{ tierLimits { tier monthlyTokenLimit } }`)).tierLimits;
    expect(limits).toEqual([
      { tier: 'FREE', monthlyTokenLimit: 1000 },
      { tier: 'STARTER', monthlyTokenLimit: 5000 },
      { tier: 'BUILDER', monthlyTokenLimit: 5000000 },
      { tier: 'ADVANCED', monthlyTokenLimit: 20000000 },
    ]);
    const a = await s.register();
    const key = async (scopes: string[]) =>
      (
        await s.ok(
          `mutation K($s: [ApiKeyScope!]!) { createApiKey(input: { name: "agent", scopes: $s }) { secret } }`,
          { s: scopes },
          { token: a.token },
        )
      ).createApiKey.secret;
    const RECORD = `mutation { recordUsage(input: { model: "ext", promptTokens: 100, completionTokens: 20 }) { tokensUsed requestCount } }`;
    expect((await s.ok(RECORD, {}, { token: a.token })).recordUsage).toEqual({ tokensUsed: 120, requestCount: 1 });
    expect((await s.ok(RECORD, {}, { token: await key(['WRITE']) })).recordUsage).toEqual({
      tokensUsed: 240,
      requestCount: 2,
    });
    expect((await s.fail(RECORD, {}, { token: await key(['READ']) })).extensions?.code).toBe('FORBIDDEN');
    expect(
      (
        await s.fail(
          `mutation { recordUsage(input: { model: "x", promptTokens: -1, completionTokens: 0 }) { tokensUsed } }`,
          {},
          { token: a.token },
        )
      ).extensions?.fields,
    ).toEqual({ promptTokens: 'Must be a whole number from 0 to 10,000,000' });
    expect(
      (await s.ok(`{ usage(month: "2020-01") { month tokensUsed remainingTokens } }`, {}, { token: a.token })).usage,
    ).toEqual({ month: '2020-01', tokensUsed: 0, remainingTokens: 1000 });
    expect((await s.fail(`{ usage(month: "2020-13") { month } }`, {}, { token: a.token })).extensions?.code).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('warns once a month on crossing 80%, and refuses calls once the budget is spent', async () => {
    const a = await s.register();
    const c = await newConversation(s, a);
    await s.ok(
      `mutation { recordUsage(input: { model: "ext", promptTokens: 700, completionTokens: 0 }) { tokensUsed } }`,
      {},
      { token: a.token },
    );
    llm.set('ok', { usage: { prompt_tokens: 100, completion_tokens: 50 } });
    expect((await s.ok(SEND, { c: c.id, t: 'one' }, { token: a.token })).sendMessage.usage.tokensUsed).toBe(850);
    llm.set('ok', { usage: { prompt_tokens: 100, completion_tokens: 100 } });
    expect((await s.ok(SEND, { c: c.id, t: 'two' }, { token: a.token })).sendMessage.usage).toMatchObject({
      tokensUsed: 1050,
      remainingTokens: 0,
    });
    const refused = await s.fail(SEND, { c: c.id, t: 'three' }, { token: a.token });
    expect(refused.extensions?.code).toBe('USAGE_LIMIT_EXCEEDED');
    const warnings = (
      await s.server.app.db.select().from(notifications).where(eq(notifications.userId, a.userId))
    ).filter((n) => n.kind === 'USAGE_LIMIT_WARNING');
    expect(warnings).toHaveLength(1);
    // The refused message was not stored.
    const count = (
      await s.ok(
        `query Q($id: ID!) { conversation(id: $id) { messages { totalCount } } }`,
        { id: c.id },
        { token: a.token },
      )
    ).conversation.messages.totalCount;
    expect(count).toBe(4);
  });

  it('20 concurrent calls near the limit overshoot by at most one call', async () => {
    const a = await s.register();
    const c = await newConversation(s, a);
    await s.ok(
      `mutation { recordUsage(input: { model: "ext", promptTokens: 900, completionTokens: 0 }) { tokensUsed } }`,
      {},
      { token: a.token },
    );
    llm.set('ok', { usage: { prompt_tokens: 30, completion_tokens: 30 } });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => s.gql(SEND, { c: c.id, t: `q${i}` }, { token: a.token })),
    );
    const ok = results.filter((r) => !r.errors);
    const refused = results.filter((r) => r.errors?.[0]?.extensions?.code === 'USAGE_LIMIT_EXCEEDED');
    expect(ok.length + refused.length).toBe(20);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    const usage = (await s.ok(`{ usage { tokensUsed } }`, {}, { token: a.token })).usage.tokensUsed;
    expect(usage).toBe(900 + 60 * ok.length);
    expect(usage).toBeLessThanOrEqual(1000 + 60);
  });

  it('a new tier takes effect on the next request', async () => {
    const { PASSWORD } = await import('../helpers/client.js');
    const admin = await s.server.services.admin.createUser({
      email: `adm-${Date.now()}@example.com`,
      password: PASSWORD,
      admin: true,
    });
    const adminToken = (
      await s.ok(
        `mutation L($i: String!, $p: String!) { login(input: { identifier: $i, password: $p }) { accessToken } }`,
        { i: admin.email, p: PASSWORD },
      )
    ).login.accessToken;
    const a = await s.register();
    await s.ok(
      `mutation T($id: ID!) { setUserTier(userId: $id, tier: STARTER) { tier } }`,
      { id: a.userId },
      { token: adminToken },
    );
    expect((await s.ok(`{ usage { tokenLimit } }`, {}, { token: a.token })).usage.tokenLimit).toBe(5000);
  });
});
