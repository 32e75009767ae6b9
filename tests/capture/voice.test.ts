import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captures, monthlyUsage, notifications, stagedUploads, uploadChunks } from '../../src/db/schema/index.js';
import { sweep } from '../../src/ops/maintenance.js';
import { AUDIO_TYPE, type Container, speech } from '../helpers/audio.js';
import type { Account } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { startSttPeer } from '../helpers/stt-peer.js';
import { closeAll } from '../helpers/teardown.js';
import { createList } from '../tasks/helpers.js';
import { subscribed, waitFor, wsClient } from '../helpers/ws.js';

let s: TestServer;
let peer: Awaited<ReturnType<typeof startSttPeer>>;
beforeAll(async () => {
  peer = await startSttPeer();
  s = await startServer({
    STT_BASE_URL: peer.url,
    STT_API_KEY: 'stt-secret',
    STT_TIMEOUT_MS: '1500',
    JOBS_POLL_MS: '500',
  });
});
afterAll(() => closeAll(s, peer));

const FIELDS = `id source status text error processedAt
  audio { contentType size durationSeconds url purgeAt }
  transcript { text language durationSeconds model segments { start end text } }
  suggestions { kind status sourceText sourceStart sourceEnd draft { ... on TaskDraft { title dueAt dueAllDay listId } } }`;
const VOICE = `mutation V($i: CreateVoiceCaptureInput!) { createVoiceCapture(input: $i) { ${FIELDS} } }`;
const GET = `query Q($id: ID!) { capture(id: $id) { ${FIELDS} } }`;
const local = (url: string) => `${s.url}${new URL(url).pathname}`;

/** Stages and PUTs real audio; returns the RECEIVED upload's id. */
async function received(who: Account, text: string, ext: Container = 'ogg'): Promise<string> {
  const bytes = speech(text, ext);
  const i = { purpose: 'CAPTURE_AUDIO', contentType: AUDIO_TYPE[ext], size: bytes.length };
  const staged = (
    await s.ok(
      `mutation S($i: StageUploadInput!) { stageUpload(input: $i) { url upload { id } } }`,
      { i },
      { token: who.token },
    )
  ).stageUpload;
  const res = await fetch(local(staged.url), {
    method: 'PUT',
    body: bytes,
    headers: { 'content-type': AUDIO_TYPE[ext] },
  });
  expect(res.status).toBe(200);
  return staged.upload.id;
}
const capture = async (who: Account, id: string) => (await s.ok(GET, { id }, { token: who.token })).capture;
/** The capture once background work on it is over. */
async function settled(who: Account, id: string) {
  let c: any;
  await waitFor(
    async () => !['TRANSCRIBING', 'TRIAGING'].includes((c = await capture(who, id)).status),
    `capture ${id} settled`,
    30_000,
  );
  return c;
}
const voice = async (who: Account, i: Record<string, unknown>) =>
  (await s.ok(VOICE, { i }, { token: who.token })).createVoiceCapture;
const voiceFail = async (who: Account, i: Record<string, unknown>) =>
  (await s.fail(VOICE, { i }, { token: who.token })).extensions;

describe('voice captures', () => {
  it('transcribes the audio in a job, triages each segment, meters the seconds and tells the owner', async () => {
    peer.jsonOnly = false;
    const a = await s.register({ timezone: 'Europe/Berlin' });
    const groceries = await createList(s, a, 'Groceries');
    const ws = wsClient(s.url, { authorization: `Bearer ${a.token}` });
    const sub = ws.subscribe(`subscription { captureChanged { id status suggestions { sourceText } } }`);
    await subscribed(s, `capture:${a.userId}`);
    const uploadId = await received(a, 'Buy milk tomorrow. Call Ann at 5pm.', 'ogg');
    peer.hear('Buy milk tomorrow. Call Ann at 5pm.', 3);
    const before = peer.requests.length;
    const c = await voice(a, { uploadId, language: 'EN' });
    expect(c).toMatchObject({ source: 'VOICE', status: 'TRANSCRIBING', text: null, transcript: null, suggestions: [] });
    expect(c.audio).toMatchObject({ contentType: 'audio/ogg', purgeAt: null });
    expect(c.audio.durationSeconds).toBeGreaterThan(2);
    expect(c.audio.url).toMatch(new RegExp(`/files/capture-audio/${c.id}$`));

    const done = await settled(a, c.id);
    expect(done).toMatchObject({ status: 'NEEDS_REVIEW', error: null, text: 'Buy milk tomorrow. Call Ann at 5pm.' });
    expect(done.transcript).toMatchObject({ language: 'en', durationSeconds: 3, model: 'whisper-1' });
    expect(done.transcript.segments).toEqual([
      { start: 0, end: 1.5, text: 'Buy milk tomorrow.' },
      { start: 1.5, end: 3, text: 'Call Ann at 5pm.' },
    ]);
    expect(
      done.suggestions.map((x: any) => [
        x.kind,
        x.sourceText,
        x.sourceStart,
        x.sourceEnd,
        x.draft.title,
        x.draft.listId,
      ]),
    ).toEqual([
      ['TASK', 'Buy milk tomorrow.', 0, 1.5, 'Buy milk.', groceries],
      ['TASK', 'Call Ann at 5pm.', 1.5, 3, 'Call Ann.', groceries],
    ]);
    expect(done.suggestions[0].draft.dueAllDay).toBe(true);
    // Kept 30 days after transcription.
    const days = (new Date(done.audio.purgeAt).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);

    // What the provider got: one multipart request with the container's extension, the model, the hint and the names.
    const sent = peer.requests.slice(before);
    expect(sent).toHaveLength(1);
    const bytes = speech('Buy milk tomorrow. Call Ann at 5pm.', 'ogg');
    expect(sent[0]).toMatchObject({
      model: 'whisper-1',
      language: 'en',
      responseFormat: 'verbose_json',
      granularities: ['segment'],
      filename: 'audio.ogg',
      fileType: 'audio/ogg',
      fileSize: bytes.length,
      authorization: 'Bearer stt-secret',
    });
    expect(sent[0]!.prompt).toContain('Groceries');

    // The subscription saw it go through its statuses; one CAPTURE_READY.
    await waitFor(
      () => sub.values.some((v) => v.captureChanged.status === 'NEEDS_REVIEW'),
      'NEEDS_REVIEW on the subscription',
    );
    const statuses = sub.values.map((v) => v.captureChanged.status);
    expect(statuses[0]).toBe('TRANSCRIBING');
    expect(statuses.at(-1)).toBe('NEEDS_REVIEW');
    sub.stop();
    await ws.dispose();
    const ready = await s.server.app.db
      .select()
      .from(notifications)
      .where(and(eq(notifications.userId, a.userId), eq(notifications.kind, 'CAPTURE_READY')));
    expect(ready.map((n) => [n.entityType, n.entityId])).toEqual([['capture', c.id]]);

    // Metered: the container's seconds rounded up, and one voice capture.
    const status = (
      await s.ok(
        `{ captureServiceStatus { voiceAvailable modelTriageAvailable reason maxAudioBytes maxAudioSeconds
      acceptedContentTypes autoAccept quota { voiceCapturesUsed audioSecondsUsed audioSecondsLimit resetsAt } } }`,
        {},
        { token: a.token },
      )
    ).captureServiceStatus;
    expect(status).toMatchObject({
      voiceAvailable: true,
      modelTriageAvailable: false,
      maxAudioBytes: 26_214_400,
      maxAudioSeconds: 600,
      autoAccept: 'OFF',
      quota: { voiceCapturesUsed: 1, audioSecondsUsed: Math.ceil(c.audio.durationSeconds), audioSecondsLimit: 1800 },
    });
    expect(status.acceptedContentTypes).toContain('audio/webm');
    expect(new Date(status.quota.resetsAt).getUTCDate()).toBe(1);
    const usage = await s.ok(
      `{ usage { audioSecondsUsed audioSecondsLimit } tierLimits { tier monthlyAudioSeconds } }`,
      {},
      { token: a.token },
    );
    expect(usage.usage).toEqual({ audioSecondsUsed: Math.ceil(c.audio.durationSeconds), audioSecondsLimit: 1800 });
    expect(usage.tierLimits.find((t: any) => t.tier === 'FREE').monthlyAudioSeconds).toBe(1800);

    // The transcript is searchable; the upload is USED and cannot make a second capture.
    const found = (
      await s.ok(
        `{ search(query: "milk", types: [CAPTURE]) { node { ... on Capture { id } } } }`,
        {},
        { token: a.token },
      )
    ).search;
    expect(found.map((r: any) => r.node.id)).toContain(c.id);
    expect((await voiceFail(a, { uploadId }))?.code).toBe('CONFLICT');
  });

  it('serves the audio to its owner only, byte for byte, and deletes it with the capture or after its retention', async () => {
    const [a, b] = [await s.register(), await s.register()];
    const uploadId = await received(a, 'Book the train to Hamburg.', 'mp3');
    const c = await voice(a, { uploadId });
    await settled(a, c.id);
    const url = local(c.audio.url);
    const res = await fetch(url, { headers: { authorization: `Bearer ${a.token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('audio/mpeg');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(Buffer.from(await res.arrayBuffer()).equals(speech('Book the train to Hamburg.', 'mp3'))).toBe(true);
    expect((await fetch(url, { headers: { authorization: `Bearer ${b.token}` } })).status).toBe(404);
    expect((await fetch(url)).status).toBe(401);

    // Retention: past purgeAt the sweep deletes the bytes; the transcript and the audio's facts stay.
    await s.server.app.db
      .update(captures)
      .set({ audioPurgeAt: new Date(Date.now() - 1000) })
      .where(eq(captures.id, c.id));
    await sweep(s.server.app);
    const purged = await capture(a, c.id);
    expect(purged.audio).toMatchObject({ contentType: 'audio/mpeg', url: null, purgeAt: null });
    expect(purged.transcript.text).toBe('Buy milk tomorrow. Call Ann at 5pm.');
    expect((await fetch(url, { headers: { authorization: `Bearer ${a.token}` } })).status).toBe(404);
    const [upload] = await s.server.app.db.select().from(stagedUploads).where(eq(stagedUploads.id, uploadId));
    expect(upload).toBeUndefined();

    // deleteCapture: at once.
    const other = await voice(a, { uploadId: await received(a, 'Book the train to Hamburg.', 'wav') });
    const [row] = await s.server.app.db
      .select({ uploadId: captures.uploadId })
      .from(captures)
      .where(eq(captures.id, other.id));
    const chunks = () => s.server.app.db.select().from(uploadChunks).where(eq(uploadChunks.uploadId, row!.uploadId!));
    expect((await chunks()).length).toBeGreaterThan(0);
    await s.ok(`mutation D($id: ID!) { deleteCapture(id: $id) }`, { id: other.id }, { token: a.token });
    expect(
      await s.server.app.db.select().from(uploadChunks).where(eq(uploadChunks.uploadId, row!.uploadId!)),
    ).toHaveLength(0);
  });

  it('retries timeouts and 5xx with backoff, fails at once on a 4xx, and fails without speech (metered)', async () => {
    const a = await s.register();
    peer.hear('Pay the rent.', 2);
    const run = async (...steps: Parameters<typeof peer.script>) => {
      peer.script(...steps);
      const before = peer.requests.length;
      const c = await voice(a, { uploadId: await received(a, 'Pay the rent.', 'wav') });
      const done = await settled(a, c.id);
      return { done, calls: peer.requests.length - before };
    };
    const flaky = await run({ status: 503 }, { delayMs: 2500 });
    expect([flaky.done.status, flaky.done.text, flaky.calls]).toEqual(['NEEDS_REVIEW', 'Pay the rent.', 3]);
    const down = await run({ status: 500 }, { status: 502 }, { status: 500 });
    expect([down.done.status, down.calls]).toEqual(['FAILED', 3]);
    expect(down.done.error).toMatch(/50\d/);
    const refused = await run({ status: 422 });
    expect([refused.done.status, refused.calls]).toEqual(['FAILED', 1]);
    expect(refused.done.error).toMatch(/refused.*422/);
    const usedBefore = (await s.ok(`{ usage { audioSecondsUsed } }`, {}, { token: a.token })).usage.audioSecondsUsed;
    const quiet = await run({ noSpeechProb: 0.9 });
    expect([quiet.done.status, quiet.done.error, quiet.done.suggestions]).toEqual(['FAILED', 'no speech detected', []]);
    const empty = await run({ text: '' });
    expect([empty.done.status, empty.done.error]).toEqual(['FAILED', 'no speech detected']);
    const usedAfter = (await s.ok(`{ usage { audioSecondsUsed } }`, {}, { token: a.token })).usage.audioSecondsUsed;
    expect(usedAfter - usedBefore).toBe(2 * Math.ceil(quiet.done.audio.durationSeconds));

    // triageCapture retries a FAILED voice capture: transcribed again from the kept audio.
    const again = (
      await s.ok(`mutation T($id: ID!) { triageCapture(id: $id) { status } }`, { id: down.done.id }, { token: a.token })
    ).triageCapture;
    expect(again.status).toBe('TRANSCRIBING');
    expect((await settled(a, down.done.id)).status).toBe('NEEDS_REVIEW');
  });

  it('asks again as json when the provider refuses verbose_json: no segments, the text triaged', async () => {
    const a = await s.register();
    peer.jsonOnly = true;
    peer.hear('Renew the passport', 2);
    const before = peer.requests.length;
    try {
      const c = await voice(a, { uploadId: await received(a, 'Renew the passport', 'flac') });
      const done = await settled(a, c.id);
      expect(done.transcript).toMatchObject({ text: 'Renew the passport', segments: [] });
      expect(done.suggestions.map((x: any) => [x.sourceText, x.sourceStart])).toEqual([['Renew the passport', null]]);
      expect(peer.requests.slice(before).map((r) => [r.responseFormat, r.filename])).toEqual([
        ['verbose_json', 'audio.flac'],
        ['json', 'audio.flac'],
      ]);
    } finally {
      peer.jsonOnly = false;
    }
  });

  it('refuses bad input, spent seconds, uploads not its own or not ready, and READ keys; clientKey returns the first', async () => {
    const [a, b] = [await s.register(), await s.register()];
    const uploadId = await received(a, 'Pay the rent.', 'wav');
    expect((await voiceFail(a, { uploadId, language: 'eng' }))?.fields).toHaveProperty('language');
    expect((await voiceFail(b, { uploadId }))?.code).toBe('NOT_FOUND');
    const waiting = (
      await s.ok(
        `mutation { stageUpload(input: { purpose: CAPTURE_AUDIO, contentType: "audio/wav", size: 10 }) { upload { id } } }`,
        {},
        { token: a.token },
      )
    ).stageUpload.upload.id;
    expect((await voiceFail(a, { uploadId: waiting }))?.code).toBe('BAD_USER_INPUT');
    const ics = (
      await s.ok(
        `mutation { stageUpload(input: { purpose: CALENDAR_IMPORT, contentType: "text/calendar", size: 10 }) { upload { id } } }`,
        {},
        { token: a.token },
      )
    ).stageUpload.upload.id;
    expect((await voiceFail(a, { uploadId: ics }))?.code).toBe('BAD_USER_INPUT');
    const key = (
      await s.ok(`mutation { createApiKey(input: { name: "r", scopes: [READ] }) { secret } }`, {}, { token: a.token })
    ).createApiKey.secret;
    expect((await s.fail(VOICE, { i: { uploadId } }, { token: key })).extensions?.code).toBe('FORBIDDEN');

    const first = await voice(a, { uploadId, clientKey: 'k1' });
    expect((await voice(a, { uploadId: 'anything', clientKey: 'k1' })).id).toBe(first.id);
    await settled(a, first.id);

    // The month's seconds spent: no new audio, no new voice capture (one started may overshoot).
    const next = await received(a, 'Pay the rent.', 'wav');
    await s.server.app.db.update(monthlyUsage).set({ audioSecondsUsed: 1800 }).where(eq(monthlyUsage.userId, a.userId));
    expect((await voiceFail(a, { uploadId: next }))?.code).toBe('USAGE_LIMIT_EXCEEDED');
    const stage = await s.fail(
      `mutation { stageUpload(input: { purpose: CAPTURE_AUDIO, contentType: "audio/wav", size: 10 }) { url } }`,
      {},
      { token: a.token },
    );
    expect(stage.extensions?.code).toBe('USAGE_LIMIT_EXCEEDED');
  });
});
