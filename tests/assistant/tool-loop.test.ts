import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execRows } from '../../src/db/client.js';
import { releaseLapsed } from '../../src/modules/usage/index.js';
import { startFakeLlm } from '../helpers/fake-llm.js';
import { type TestServer, startServer } from '../helpers/server.js';
import {
  SEND,
  activityVerbs,
  actions,
  conversation,
  heldTokens,
  messagesOf,
  modelCalls,
  openReservations,
  taskList,
  toolReplies,
} from './agent-helpers.js';
import { closeAll } from '../helpers/teardown.js';

let s: TestServer;
let llm: Awaited<ReturnType<typeof startFakeLlm>>;
beforeAll(async () => {
  llm = await startFakeLlm();
  s = await startServer({ LLM_BASE_URL: llm.url, LLM_MODEL: 'fake-1', LLM_TIMEOUT_MS: '1500' });
});
afterAll(async () => {
  await closeAll(s);
  await closeAll(llm);
});
beforeEach(() => {
  llm.set('ok', { reply: ['Done.'], usage: { prompt_tokens: 40, completion_tokens: 10 } });
  llm.requests.length = 0;
});

describe('the tool loop', () => {
  it('runs READ and WRITE tools, feeds the results back, and stores every step', async () => {
    const a = await s.register({ name: 'Ada', timezone: 'Europe/Paris' });
    const listId = await taskList(s, a);
    await s.ok(
      `mutation T($l: ID!) { createTask(input: { listId: $l, title: "Call the dentist" }) { id } }`,
      { l: listId },
      { token: a.token },
    );
    await s.ok(
      `mutation { createDocument(input: { title: "Dentist", content: "Dr. Molar, Rue des Dents 4" }) { id } }`,
      {},
      { token: a.token },
    );
    const c = await conversation(s, a);
    llm.script(
      {
        text: ['Let me look.'],
        calls: [
          { name: 'search_tasks', args: { query: 'dentist' } },
          { name: 'search_documents', args: { query: 'dentist' } },
          { name: 'list_events', args: { from: '2026-12-01T00:00:00Z', to: '2026-12-08T00:00:00Z' } },
          { name: 'get_journal_entry', args: { type: 'DAILY_REFLECTION', date: '2026-12-01' } },
        ],
      },
      (body) => {
        // The model was given every READ result before it writes.
        const replies = toolReplies(body);
        expect(replies.map((r) => r.status)).toEqual(['EXECUTED', 'EXECUTED', 'EXECUTED', 'EXECUTED']);
        expect(replies[0].result.tasks.map((t: any) => t.title)).toEqual(['Call the dentist']);
        expect(replies[1].result.documents.map((d: any) => d.title)).toEqual(['Dentist']);
        const taskId = replies[0].result.tasks[0].id;
        return {
          dialect: 'no-index',
          calls: [
            {
              name: 'create_task',
              args: { listId, title: 'Book the appointment', dueAt: '2026-12-03T09:00:00+01:00', priority: 'HIGH' },
            },
            { name: 'update_task', args: { taskId, status: 'DONE' } },
            {
              name: 'create_event',
              args: {
                title: 'Dentist',
                startsAt: '2026-12-10T09:00:00+01:00',
                endsAt: '2026-12-10T10:00:00+01:00',
                location: 'Rue des Dents 4',
              },
            },
            { name: 'create_document', args: { title: 'Questions for the dentist', content: 'Whitening?' } },
            {
              name: 'write_journal_entry',
              args: { type: 'DAILY_REFLECTION', date: '2026-12-01', content: 'Sorted the dentist.' },
            },
          ],
        };
      },
      (body) => {
        expect(
          toolReplies(body)
            .slice(-5)
            .map((r) => r.status),
        ).toEqual(['EXECUTED', 'EXECUTED', 'EXECUTED', 'EXECUTED', 'EXECUTED']);
        return { text: ['All ', 'set.'] };
      },
    );
    const res = (await s.ok(SEND, { c, t: 'Sort out the dentist' }, { token: a.token })).sendMessage;
    expect(llm.scripted).toBe(0);
    expect(res.assistantMessage).toMatchObject({ content: 'All set.', stopReason: null, actions: [] });
    expect(res.usage).toEqual({ tokensUsed: 150, requestCount: 3 });
    // The system prompt carries the viewer's name, zone and date; the model was offered every tool.
    const first = llm.requests[0]!.body;
    expect(first.messages[0].content).toMatch(/Ada[\s\S]*Europe\/Paris[\s\S]*today is \w+day \d{4}-\d\d-\d\d/);
    expect(first.tools).toHaveLength(24);
    expect(first.tools.find((t: any) => t.function.name === 'create_task').function.parameters).toMatchObject({
      type: 'object',
      required: ['listId', 'title'],
    });

    const all = await actions(s, a);
    expect(all.map((x) => [x.tool, x.risk, x.status, x.source])).toEqual([
      ['search_tasks', 'READ', 'EXECUTED', 'ASSISTANT'],
      ['search_documents', 'READ', 'EXECUTED', 'ASSISTANT'],
      ['list_events', 'READ', 'EXECUTED', 'ASSISTANT'],
      ['get_journal_entry', 'READ', 'EXECUTED', 'ASSISTANT'],
      ['create_task', 'WRITE', 'EXECUTED', 'ASSISTANT'],
      ['update_task', 'WRITE', 'EXECUTED', 'ASSISTANT'],
      ['create_event', 'WRITE', 'EXECUTED', 'ASSISTANT'],
      ['create_document', 'WRITE', 'EXECUTED', 'ASSISTANT'],
      ['write_journal_entry', 'WRITE', 'EXECUTED', 'ASSISTANT'],
    ]);
    expect(all[4].arguments).toEqual({
      listId,
      title: 'Book the appointment',
      dueAt: '2026-12-03T09:00:00+01:00',
      priority: 'HIGH',
    });
    // The writes happened, as the viewer.
    const tasks = (
      await s.ok(
        `query L($l: ID!) { taskList(id: $l) { tasks(first: 10) { edges { node { title status priority dueAt createdBy { id } } } } } }`,
        { l: listId },
        { token: a.token },
      )
    ).taskList.tasks.edges.map((e: any) => e.node);
    expect(tasks).toEqual(
      expect.arrayContaining([
        { title: 'Call the dentist', status: 'DONE', priority: 'MEDIUM', dueAt: null, createdBy: { id: a.userId } },
        {
          title: 'Book the appointment',
          status: 'TODO',
          priority: 'HIGH',
          dueAt: '2026-12-03T08:00:00.000Z',
          createdBy: { id: a.userId },
        },
      ]),
    );
    const journal = (
      await s.ok(`{ journalEntry(type: DAILY_REFLECTION, date: "2026-12-01") { content } }`, {}, { token: a.token })
    ).journalEntry;
    expect(journal.content).toBe('Sorted the dentist.');
    // Each action has its activity row, next to the service's own.
    const verbs = await activityVerbs(s, a.userId);
    for (const tool of [
      'search_tasks',
      'create_task',
      'update_task',
      'create_event',
      'create_document',
      'write_journal_entry',
    ])
      expect(verbs).toContain(`assistant.${tool}`);
    expect(verbs).toContain('task.created');
    // The conversation: the question, three assistant messages with their actions, and a TOOL message per call.
    const msgs = await messagesOf(s, a, c);
    expect(msgs.map((m) => m.role)).toEqual([
      'USER',
      'ASSISTANT',
      'TOOL',
      'TOOL',
      'TOOL',
      'TOOL',
      'ASSISTANT',
      'TOOL',
      'TOOL',
      'TOOL',
      'TOOL',
      'TOOL',
      'ASSISTANT',
    ]);
    expect(msgs[1].actions.map((x: any) => x.tool)).toEqual([
      'search_tasks',
      'search_documents',
      'list_events',
      'get_journal_entry',
    ]);
    expect(JSON.parse(msgs[2].content)).toMatchObject({ status: 'EXECUTED', result: { totalCount: 1 } });
    expect((await modelCalls(s, a, c)).map((m) => [m.status, m.finishReason])).toEqual([
      ['ok', 'tool_calls'],
      ['ok', 'tool_calls'],
      ['ok', 'stop'],
    ]);
    expect(await heldTokens(s, a.userId)).toBe(0);
  });
});

describe('streamed tool calls in the dialects of OpenAI-compatible providers', () => {
  for (const dialect of ['openai', 'no-index', 'by-id', 'whole'] as const) {
    it(`assembles two calls sent ${dialect}`, async () => {
      const a = await s.register();
      const listId = await taskList(s, a);
      const c = await conversation(s, a);
      llm.script({
        dialect,
        calls: [
          { name: 'create_task', args: { listId, title: `First, ${dialect}`, notes: 'with "quotes" and, commas' } },
          { name: 'create_task', args: { listId, title: `Second, ${dialect}` } },
        ],
      });
      await s.ok(SEND, { c, t: 'two tasks' }, { token: a.token });
      const done = await actions(s, a);
      expect(done.map((x) => [x.status, x.arguments.title])).toEqual([
        ['EXECUTED', `First, ${dialect}`],
        ['EXECUTED', `Second, ${dialect}`],
      ]);
      expect(done[0].arguments.notes).toBe('with "quotes" and, commas');
      // Each call is answered by its id, in order.
      const ids = toolReplies(llm.requests.at(-1)!.body).map((r) => r.id);
      expect(new Set(ids).size).toBe(2);
    });
  }
});

describe('bad tool calls and faults', () => {
  it('fails an unknown tool, bad JSON, invalid arguments and a tool that throws, tells the model, and leaves nothing half-written', async () => {
    const [a, b] = [await s.register(), await s.register()];
    const othersList = await taskList(s, b, 'Private');
    const c = await conversation(s, a);
    llm.script(
      {
        calls: [
          { name: 'launch_rocket', args: {} },
          { name: 'create_task', args: '{"listId": "oops' },
          { name: 'create_task', args: { listId: othersList, title: 'x'.repeat(501), bogus: 1 } },
          { name: 'create_task', args: { listId: othersList, title: 'Sneaky' } },
        ],
      },
      (body) => {
        const told = toolReplies(body);
        expect(told.map((r) => r.status)).toEqual(['FAILED', 'FAILED', 'FAILED', 'FAILED']);
        return { text: [told.map((r) => r.error).join(' | ')] };
      },
    );
    const res = (await s.ok(SEND, { c, t: 'go' }, { token: a.token })).sendMessage;
    const errors = res.assistantMessage.content.split(' | ');
    expect(errors[0]).toBe('Unknown tool: launch_rocket');
    expect(errors[1]).toBe('Invalid arguments: not valid JSON');
    expect(errors[2]).toMatch(/^Invalid arguments: .*title: Too big.*Unrecognized key/);
    expect(errors[3]).toBe('NOT_FOUND: Task list not found');
    const failed = await actions(s, a);
    expect(failed.map((x) => [x.tool, x.status])).toEqual([
      ['launch_rocket', 'FAILED'],
      ['create_task', 'FAILED'],
      ['create_task', 'FAILED'],
      ['create_task', 'FAILED'],
    ]);
    expect(failed[1].arguments).toEqual({ raw: '{"listId": "oops' });
    // Nothing was written to B's list, and no activity claims otherwise.
    const count = (
      await s.ok(
        `query L($l: ID!) { taskList(id: $l) { tasks { totalCount } } }`,
        { l: othersList },
        { token: b.token },
      )
    ).taskList.tasks.totalCount;
    expect(count).toBe(0);
    expect(await activityVerbs(s, a.userId)).not.toContain('assistant.create_task');
  });

  it('stops a model that keeps calling tools after 8 calls, with the reason stored', async () => {
    const a = await s.register();
    const c = await conversation(s, a);
    llm.script(...Array.from({ length: 8 }, () => ({ calls: [{ name: 'search_tasks', args: {} }] })));
    const res = (await s.ok(SEND, { c, t: 'loop forever' }, { token: a.token })).sendMessage;
    expect(llm.requests).toHaveLength(8);
    expect(res.assistantMessage.stopReason).toBe('STEP_LIMIT');
    expect(res.usage.requestCount).toBe(8);
    const all = await actions(s, a);
    expect(all).toHaveLength(8);
    expect(all.slice(0, 7).every((x) => x.status === 'EXECUTED')).toBe(true);
    expect(all[7]).toMatchObject({ status: 'FAILED', error: 'Not run: at most 8 model calls per message' });
    expect(await modelCalls(s, a, c)).toHaveLength(8);
    expect(await heldTokens(s, a.userId)).toBe(0);
  });

  it('ends the turn with USAGE_LIMIT_EXCEEDED stored when the budget runs out mid-loop', async () => {
    const small = await startServer({ LLM_BASE_URL: llm.url, LLM_MODEL: 'fake-1', TIER_LIMIT_FREE: '5000' });
    try {
      const a = await small.register();
      const c = await conversation(small, a);
      llm.script({
        calls: [{ name: 'search_tasks', args: {} }],
        usage: { prompt_tokens: 4900, completion_tokens: 100 },
      });
      const res = (await small.ok(SEND, { c, t: 'go' }, { token: a.token })).sendMessage;
      expect(llm.requests).toHaveLength(1);
      expect(res.assistantMessage).toMatchObject({
        stopReason: 'USAGE_LIMIT_EXCEEDED',
        content: expect.stringContaining('budget'),
      });
      expect(res.usage).toEqual({ tokensUsed: 5000, requestCount: 1 });
      expect((await actions(small, a)).map((x) => x.status)).toEqual(['EXECUTED']);
      expect(await heldTokens(small, a.userId)).toBe(0);
      // With the budget spent, the next message is refused before anything is stored.
      expect((await small.fail(SEND, { c, t: 'again' }, { token: a.token })).extensions?.code).toBe(
        'USAGE_LIMIT_EXCEEDED',
      );
      expect((await messagesOf(small, a, c)).map((m) => m.role)).toEqual(['USER', 'ASSISTANT', 'TOOL', 'ASSISTANT']);
    } finally {
      await small.close();
    }
  });

  it('keeps what was done when the provider fails or times out mid-stream, logs the call, holds nothing', async () => {
    const a = await s.register();
    const listId = await taskList(s, a);
    const c = await conversation(s, a);
    llm.script(
      { calls: [{ name: 'create_task', args: { listId, title: 'Before the fault' } }] },
      { text: ['Half a sent'], fail: 'error' },
    );
    const e = await s.fail(SEND, { c, t: 'go' }, { token: a.token });
    expect(e).toMatchObject({
      message: expect.stringMatching(/model overloaded/),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    llm.script({ text: ['Still thinking'], fail: 'hang' });
    expect((await s.fail(SEND, { c, t: 'again' }, { token: a.token })).message).toMatch(/did not answer in time/);
    expect((await actions(s, a)).map((x) => [x.tool, x.status])).toEqual([['create_task', 'EXECUTED']]);
    expect((await modelCalls(s, a, c)).map((m) => m.status)).toEqual(['ok', 'error', 'timeout']);
    expect(await heldTokens(s, a.userId)).toBe(0);
    expect(await openReservations(s, a.userId)).toBe(0);
    expect((await s.ok(`{ usage { requestCount } }`, {}, { token: a.token })).usage.requestCount).toBe(1);
  });

  it('when the client disconnects mid-turn, the call is cancelled and logged, and nothing is held', async () => {
    const a = await s.register();
    const c = await conversation(s, a);
    llm.script({ calls: [{ name: 'search_tasks', args: {} }] }, { text: ['Thinking'], fail: 'hang' });
    const abort = new AbortController();
    const sent = fetch(`${s.url}/graphql`, {
      method: 'POST',
      signal: abort.signal,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${a.token}` },
      body: JSON.stringify({ query: SEND, variables: { c, t: 'go' } }),
    }).catch(() => null);
    const deadline = Date.now() + 10_000;
    while (llm.requests.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    abort.abort();
    await sent;
    let calls: any[] = [];
    while (Date.now() < deadline) {
      calls = await modelCalls(s, a, c);
      if (calls.length === 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(calls.map((m) => m.status)).toEqual(['ok', 'cancelled']);
    expect((await actions(s, a)).map((x) => x.status)).toEqual(['EXECUTED']);
    expect(await heldTokens(s, a.userId)).toBe(0);
    expect(await openReservations(s, a.userId)).toBe(0);
  });

  it('a call lost with its process (hold never settled) gives its tokens back when the hold lapses', async () => {
    const a = await s.register();
    const c = await conversation(s, a);
    llm.script({ text: ['Thinking'], fail: 'hang' });
    const sent = s.gql(SEND, { c, t: 'go' }, { token: a.token });
    const deadline = Date.now() + 10_000;
    while (llm.requests.length < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    // While the call is in flight its tokens are held by a reservation row, which a crash would leave behind.
    expect(await openReservations(s, a.userId)).toBe(1);
    expect(await heldTokens(s, a.userId)).toBeGreaterThan(1000);
    await execRows(s.server.app.db, sql`update usage_reservations set expires_at = now() where user_id = ${a.userId}`);
    await releaseLapsed(s.server.app.db);
    expect(await heldTokens(s, a.userId)).toBe(0);
    // The call then ends (here: it times out); giving back again changes nothing.
    expect((await sent).errors?.[0]?.message).toMatch(/did not answer in time/);
    expect((await modelCalls(s, a, c)).map((m) => m.status)).toEqual(['timeout']);
    expect(await heldTokens(s, a.userId)).toBe(0);
    expect(await openReservations(s, a.userId)).toBe(0);
  });
});
