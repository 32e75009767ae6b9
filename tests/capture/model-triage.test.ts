import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monthlyUsage, notifications } from '../../src/db/schema/index.js';
import { AUDIO_TYPE, speech } from '../helpers/audio.js';
import type { Account } from '../helpers/client.js';
import { startFakeLlm } from '../helpers/fake-llm.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { startSttPeer } from '../helpers/stt-peer.js';
import { closeAll } from '../helpers/teardown.js';
import { waitFor } from '../helpers/ws.js';
import { createList } from '../tasks/helpers.js';

let s: TestServer;
let llm: Awaited<ReturnType<typeof startFakeLlm>>;
let stt: Awaited<ReturnType<typeof startSttPeer>>;
beforeAll(async () => {
  [llm, stt] = await Promise.all([startFakeLlm(), startSttPeer()]);
  s = await startServer({ LLM_BASE_URL: llm.url, LLM_MODEL: 'fake-1', STT_BASE_URL: stt.url, JOBS_POLL_MS: '500' });
});
afterAll(() => closeAll(s, llm, stt));

const FIELDS = `id status error text suggestions { kind status confidence sourceText error missing
  draft { __typename ... on TaskDraft { listId title dueAt priority } ... on EventDraft { title startsAt endsAt }
  ... on JournalDraft { type date text append } ... on DocumentDraft { title content } } }`;
const CREATE = `mutation C($i: CreateCaptureInput!) { createCapture(input: $i) { ${FIELDS} } }`;
const get = async (who: Account, id: string) =>
  (await s.ok(`query Q($id: ID!) { capture(id: $id) { ${FIELDS} } }`, { id }, { token: who.token })).capture;
async function settled(who: Account, id: string) {
  let c: any;
  await waitFor(async () => !['TRANSCRIBING', 'TRIAGING'].includes((c = await get(who, id)).status), 'triage', 30_000);
  return c;
}
const ready = async (who: Account) =>
  s.server.app.db
    .select({ id: notifications.entityId })
    .from(notifications)
    .where(and(eq(notifications.userId, who.userId), eq(notifications.kind, 'CAPTURE_READY')));
const tokens = async (who: Account) =>
  (await s.ok(`{ usage { tokensUsed } }`, {}, { token: who.token })).usage.tokensUsed;

describe('model triage', () => {
  it('makes one metered call whose only tools are the proposals; invalid arguments make FAILED suggestions', async () => {
    const a = await s.register({ timezone: 'Europe/Berlin' });
    const home = await createList(s, a, 'Home');
    llm.script({
      calls: [
        {
          name: 'propose_task',
          args: {
            listId: home,
            title: 'Buy milk',
            dueAt: '2026-12-05T18:00:00+01:00',
            priority: 'HIGH',
            confidence: 0.95,
            sourceText: 'buy milk saturday',
          },
        },
        {
          name: 'propose_event',
          args: {
            title: 'Dinner with Ann',
            startsAt: '2026-12-06T19:00:00+01:00',
            endsAt: '2026-12-06T21:00:00+01:00',
            confidence: 0.8,
          },
        },
        {
          name: 'propose_journal_entry',
          args: { type: 'DAILY_REFLECTION', date: '2026-12-03', content: 'Felt good today' },
        },
        { name: 'propose_document', args: { title: 'Gift ideas', content: 'A scarf' } },
        { name: 'propose_task', args: { listId: home, dueAt: 'friday' } },
      ],
      usage: { prompt_tokens: 300, completion_tokens: 120 },
    });
    const before = llm.requests.length;
    const c = (
      await s.ok(
        CREATE,
        { i: { text: 'buy milk saturday, dinner with Ann sunday 7pm, felt good today, gift ideas: a scarf' } },
        { token: a.token },
      )
    ).createCapture;
    expect(c).toMatchObject({ status: 'TRIAGING', suggestions: [] });
    const done = await settled(a, c.id);
    expect(done.status).toBe('NEEDS_REVIEW');
    expect(done.suggestions.map((x: any) => [x.kind, x.status, x.confidence])).toEqual([
      ['TASK', 'PROPOSED', 0.95],
      ['EVENT', 'PROPOSED', 0.8],
      ['JOURNAL_ENTRY', 'PROPOSED', null],
      ['DOCUMENT', 'PROPOSED', null],
      ['TASK', 'FAILED', null],
    ]);
    expect(done.suggestions[0]).toMatchObject({
      sourceText: 'buy milk saturday',
      draft: { listId: home, title: 'Buy milk', priority: 'HIGH', dueAt: '2026-12-05T17:00:00.000Z' },
    });
    expect(done.suggestions[2].draft).toMatchObject({
      type: 'DAILY_REFLECTION',
      text: 'Felt good today',
      append: true,
    });
    expect(done.suggestions[4].error).toMatch(/title/);
    expect(done.suggestions[4].error).toMatch(/dueAt/);

    // One call: the four proposal tools only, told the zone, the lists and whether today's reflection exists.
    const sent = llm.requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body.tools.map((t: any) => t.function.name).sort()).toEqual([
      'propose_document',
      'propose_event',
      'propose_journal_entry',
      'propose_task',
    ]);
    const system = sent[0]!.body.messages[0].content as string;
    expect(system).toContain('"timezone":"Europe/Berlin"');
    expect(system).toContain(home);
    expect(system).toContain('"dailyReflectionExists":false');
    expect(sent[0]!.body.messages[1]).toEqual({ role: 'user', content: expect.stringContaining('gift ideas') });
    expect(await tokens(a)).toBe(420);
    expect((await ready(a)).map((n) => n.id)).toEqual([c.id]);

    // Accepting a model suggestion runs the same services: the event is on the calendar.
    await s.ok(
      `mutation A($id: ID!) { acceptCaptureSuggestion(id: $id) { status } }`,
      {
        id: (
          await s.ok(`query Q($id: ID!) { capture(id: $id) { suggestions { id } } }`, { id: c.id }, { token: a.token })
        ).capture.suggestions[1].id,
      },
      { token: a.token },
    );
    expect(
      (
        await s.ok(
          `{ events(from: "2026-12-06T00:00:00Z", to: "2026-12-07T00:00:00Z") { title } }`,
          {},
          { token: a.token },
        )
      ).events,
    ).toEqual([{ title: 'Dinner with Ann' }]);
  });

  it('repairs once when the model answers in words; nothing proposed leaves the capture NEW', async () => {
    const a = await s.register();
    await createList(s, a, 'Inbox');
    llm.script({ text: ['Sure, a task.'] }, { calls: [{ name: 'propose_task', args: { title: 'Call the bank' } }] });
    const before = llm.requests.length;
    const c = (await s.ok(CREATE, { i: { text: 'call the bank' } }, { token: a.token })).createCapture;
    const done = await settled(a, c.id);
    expect(llm.requests.length - before).toBe(2);
    expect(done.suggestions.map((x: any) => [x.status, x.draft.title, x.missing])).toEqual([
      ['PROPOSED', 'Call the bank', []],
    ]);
    expect(await tokens(a)).toBe(100);

    llm.script({ text: ['Nothing to do.'] }, { text: ['Still nothing.'] });
    const none = (await s.ok(CREATE, { i: { text: 'hmm' } }, { token: a.token })).createCapture;
    expect(await settled(a, none.id)).toMatchObject({ status: 'NEW', suggestions: [] });
    expect((await ready(a)).length).toBe(2);
  });

  it('uses the grammar at once when the tokens are spent, and fails (retriable) when the model does', async () => {
    const a = await s.register();
    await createList(s, a, 'Inbox');
    await s.server.app.db
      .insert(monthlyUsage)
      .values({ userId: a.userId, month: new Date().toISOString().slice(0, 7), tokensUsed: 100_000 });
    const before = llm.requests.length;
    const spent = (await s.ok(CREATE, { i: { text: 'Pay rent tomorrow p1' } }, { token: a.token })).createCapture;
    expect(spent).toMatchObject({ status: 'NEEDS_REVIEW', error: 'model triage skipped: token budget spent' });
    expect(spent.suggestions.map((x: any) => [x.draft.title, x.confidence])).toEqual([['Pay rent', null]]);
    expect(llm.requests.length).toBe(before);

    const b = await s.register();
    llm.set('http500');
    try {
      const c = (await s.ok(CREATE, { i: { text: 'renew passport' } }, { token: b.token })).createCapture;
      const failed = await settled(b, c.id);
      expect(failed.status).toBe('FAILED');
      expect(failed.error).toMatch(/^model triage failed/);
      expect(await tokens(b)).toBe(0);
      llm.set('ok');
      llm.script({ calls: [{ name: 'propose_task', args: { title: 'Renew passport' } }] });
      const retry = (
        await s.ok(`mutation T($id: ID!) { triageCapture(id: $id) { status } }`, { id: c.id }, { token: b.token })
      ).triageCapture;
      expect(retry.status).toBe('TRIAGING');
      expect((await settled(b, c.id)).suggestions.map((x: any) => x.draft.title)).toEqual(['Renew passport']);
    } finally {
      llm.set('ok');
    }
  });

  it('triages a voice capture with the model after transcription, with one CAPTURE_READY', async () => {
    const a = await s.register();
    const list = await createList(s, a, 'Errands');
    stt.hear('Pick up the parcel at the post office.', 2);
    const bytes = speech('Pick up the parcel at the post office.', 'wav');
    const staged = (
      await s.ok(
        `mutation S($n: Int!) { stageUpload(input: { purpose: CAPTURE_AUDIO, contentType: "audio/wav", size: $n }) { url upload { id } } }`,
        { n: bytes.length },
        { token: a.token },
      )
    ).stageUpload;
    expect(
      (
        await fetch(`${s.url}${new URL(staged.url).pathname}`, {
          method: 'PUT',
          body: bytes,
          headers: { 'content-type': AUDIO_TYPE.wav },
        })
      ).status,
    ).toBe(200);
    llm.script({
      calls: [
        {
          name: 'propose_task',
          args: { listId: list, title: 'Pick up the parcel', sourceText: 'Pick up the parcel at the post office.' },
        },
      ],
    });
    const c = (
      await s.ok(
        `mutation V($u: ID!) { createVoiceCapture(input: { uploadId: $u }) { id status } }`,
        { u: staged.upload.id },
        { token: a.token },
      )
    ).createVoiceCapture;
    expect(c.status).toBe('TRANSCRIBING');
    const done = await settled(a, c.id);
    expect(done).toMatchObject({ status: 'NEEDS_REVIEW', text: 'Pick up the parcel at the post office.' });
    expect(done.suggestions.map((x: any) => [x.draft.title, x.sourceText])).toEqual([
      ['Pick up the parcel', 'Pick up the parcel at the post office.'],
    ]);
    expect((await ready(a)).map((n) => n.id)).toEqual([c.id]);
  });
});
