import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeLlm } from '../helpers/fake-llm.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { SEND, activityVerbs, actions, conversation, heldTokens, messagesOf, modelCalls, taskList, toolReplies } from './agent-helpers.js';

let s: TestServer;
let llm: Awaited<ReturnType<typeof startFakeLlm>>;
beforeAll(async () => {
  llm = await startFakeLlm();
  s = await startServer({ LLM_BASE_URL: llm.url, LLM_MODEL: 'fake-1', LLM_TIMEOUT_MS: '1500' });
});
afterAll(async () => {
  await s?.close();
  await llm?.close();
});
beforeEach(() => {
  llm.set('ok', { reply: ['Done.'], usage: { prompt_tokens: 40, completion_tokens: 10 } });
  llm.requests.length = 0;
});

describe('the tool loop', () => {
  it('runs READ and WRITE tools, feeds the results back, and stores every step', async () => {
    const a = await s.register({ name: 'Ada', timezone: 'Europe/Paris' });
    const listId = await taskList(s, a);
    await s.ok(`mutation T($l: ID!) { createTask(input: { listId: $l, title: "Call the dentist" }) { id } }`, { l: listId }, { token: a.token });
    await s.ok(`mutation { createDocument(input: { title: "Dentist", content: "Dr. Molar, Rue des Dents 4" }) { id } }`, {}, { token: a.token });
    const c = await conversation(s, a);
    llm.script(
      { text: ['Let me look.'], calls: [
        { name: 'search_tasks', args: { query: 'dentist' } },
        { name: 'search_documents', args: { query: 'dentist' } },
        { name: 'list_events', args: { from: '2026-12-01T00:00:00Z', to: '2026-12-08T00:00:00Z' } },
        { name: 'get_journal_entry', args: { type: 'DAILY_REFLECTION', date: '2026-12-01' } },
      ] },
      (body) => {
        // The model was given every READ result before it writes.
        const replies = toolReplies(body);
        expect(replies.map((r) => r.status)).toEqual(['EXECUTED', 'EXECUTED', 'EXECUTED', 'EXECUTED']);
        expect(replies[0].result.tasks.map((t: any) => t.title)).toEqual(['Call the dentist']);
        expect(replies[1].result.documents.map((d: any) => d.title)).toEqual(['Dentist']);
        const taskId = replies[0].result.tasks[0].id;
        return { dialect: 'no-index', calls: [
          { name: 'create_task', args: { listId, title: 'Book the appointment', dueAt: '2026-12-03T09:00:00+01:00', priority: 'HIGH' } },
          { name: 'update_task', args: { taskId, status: 'DONE' } },
          { name: 'create_event', args: { title: 'Dentist', startsAt: '2026-12-10T09:00:00+01:00', endsAt: '2026-12-10T10:00:00+01:00', location: 'Rue des Dents 4' } },
          { name: 'create_document', args: { title: 'Questions for the dentist', content: 'Whitening?' } },
          { name: 'write_journal_entry', args: { type: 'DAILY_REFLECTION', date: '2026-12-01', content: 'Sorted the dentist.' } },
        ] };
      },
      (body) => {
        expect(toolReplies(body).slice(-5).map((r) => r.status)).toEqual(['EXECUTED', 'EXECUTED', 'EXECUTED', 'EXECUTED', 'EXECUTED']);
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
    expect(first.tools).toHaveLength(12);
    expect(first.tools.find((t: any) => t.function.name === 'create_task').function.parameters).toMatchObject({ type: 'object', required: ['listId', 'title'] });

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
    expect(all[4].arguments).toEqual({ listId, title: 'Book the appointment', dueAt: '2026-12-03T09:00:00+01:00', priority: 'HIGH' });
    // The writes happened, as the viewer.
    const tasks = (await s.ok(`query L($l: ID!) { taskList(id: $l) { tasks(first: 10) { edges { node { title status priority dueAt createdBy { id } } } } } }`, { l: listId }, { token: a.token })).taskList.tasks.edges.map((e: any) => e.node);
    expect(tasks).toEqual(expect.arrayContaining([
      { title: 'Call the dentist', status: 'DONE', priority: 'MEDIUM', dueAt: null, createdBy: { id: a.userId } },
      { title: 'Book the appointment', status: 'TODO', priority: 'HIGH', dueAt: '2026-12-03T08:00:00.000Z', createdBy: { id: a.userId } },
    ]));
    const journal = (await s.ok(`{ journalEntry(type: DAILY_REFLECTION, date: "2026-12-01") { content } }`, {}, { token: a.token })).journalEntry;
    expect(journal.content).toBe('Sorted the dentist.');
    // Each action has its activity row, next to the service's own.
    const verbs = await activityVerbs(s, a.userId);
    for (const tool of ['search_tasks', 'create_task', 'update_task', 'create_event', 'create_document', 'write_journal_entry']) expect(verbs).toContain(`assistant.${tool}`);
    expect(verbs).toContain('task.created');
    // The conversation: the question, three assistant messages with their actions, and a TOOL message per call.
    const msgs = await messagesOf(s, a, c);
    expect(msgs.map((m) => m.role)).toEqual(['USER', 'ASSISTANT', 'TOOL', 'TOOL', 'TOOL', 'TOOL', 'ASSISTANT', 'TOOL', 'TOOL', 'TOOL', 'TOOL', 'TOOL', 'ASSISTANT']);
    expect(msgs[1].actions.map((x: any) => x.tool)).toEqual(['search_tasks', 'search_documents', 'list_events', 'get_journal_entry']);
    expect(JSON.parse(msgs[2].content)).toMatchObject({ status: 'EXECUTED', result: { totalCount: 1 } });
    expect((await modelCalls(s, a, c)).map((m) => [m.status, m.finishReason])).toEqual([['ok', 'tool_calls'], ['ok', 'tool_calls'], ['ok', 'stop']]);
    expect(await heldTokens(s, a.userId)).toBe(0);
  });
});
