import { request } from 'node:http';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stagedUploads, uploadChunks } from '../../src/db/schema/index.js';
import type { Account } from '../helpers/client.js';
import { AUDIO_TYPE, silence, speech } from '../helpers/audio.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { closeAll } from '../helpers/teardown.js';

let s: TestServer;
let plain: TestServer;
beforeAll(async () => {
  // The provider is never called here: staging audio only needs one configured.
  [s, plain] = await Promise.all([startServer({ STT_BASE_URL: 'http://127.0.0.1:9/v1' }), startServer()]);
});
afterAll(() => closeAll(s, plain));

const STAGE = `mutation S($i: StageUploadInput!) { stageUpload(input: $i) {
  url headers upload { id purpose contentType maxBytes size status error expiresAt } } }`;
const UPLOAD = `query U($id: ID!) { stagedUpload(id: $id) { id status size error maxBytes } }`;
const stage = async (srv: TestServer, who: Account, i: Record<string, unknown>) =>
  (await srv.ok(STAGE, { i }, { token: who.token })).stageUpload;
const stageFail = async (srv: TestServer, who: Account, i: Record<string, unknown>) =>
  (await srv.fail(STAGE, { i }, { token: who.token })).extensions;
const upload = async (who: Account, id: string) => (await s.ok(UPLOAD, { id }, { token: who.token })).stagedUpload;
/** The URL on the test server (APP_URL names the public origin). */
const local = (url: string) => `${s.url}${new URL(url).pathname}`;
const put = (url: string, body: Buffer | string, type: string, headers: Record<string, string> = {}) =>
  fetch(local(url), { method: 'PUT', body, headers: { 'content-type': type, ...headers } });

describe('stageUpload', () => {
  it('checks the type, then the size, then the provider, then the waiting uploads', async () => {
    const a = await s.register();
    const audio = (contentType: string, size = 1000) => ({ purpose: 'CAPTURE_AUDIO', contentType, size });
    for (const type of ['audio/ogg; codecs=opus', 'image/png', 'text/calendar', 'video/webm']) {
      const e = await stageFail(s, a, audio(type, 0));
      expect([e?.code, Object.keys(e?.fields as object)]).toEqual(['BAD_USER_INPUT', ['contentType']]);
    }
    for (const size of [0, 26_214_401]) {
      const e = await stageFail(s, a, audio('audio/ogg', size));
      expect([e?.code, Object.keys(e?.fields as object)]).toEqual(['BAD_USER_INPUT', ['size']]);
    }
    const ics = await stageFail(s, a, { purpose: 'CALENDAR_IMPORT', contentType: 'text/calendar', size: 1_048_577 });
    expect(ics?.fields).toHaveProperty('size');
    expect(
      (await stageFail(s, a, { purpose: 'CALENDAR_IMPORT', contentType: 'audio/ogg', size: 10 }))?.fields,
    ).toHaveProperty('contentType');
    // Without a speech-to-text provider audio is refused with the reason; calendars still go.
    const none = await plain.register();
    const off = await stageFail(plain, none, audio('audio/wav'));
    expect(off?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(off?.fields)).toMatch(/speech-to-text/);
    expect(
      (await stage(plain, none, { purpose: 'CALENDAR_IMPORT', contentType: 'text/calendar', size: 20 })).upload.status,
    ).toBe('WAITING');

    const staged = await stage(s, a, { ...audio('AUDIO/WAV', 1234), filename: 'note.wav' });
    expect(staged.upload).toMatchObject({
      purpose: 'CAPTURE_AUDIO',
      contentType: 'audio/wav',
      maxBytes: 1234,
      size: null,
      status: 'WAITING',
      error: null,
    });
    expect(staged.url).toMatch(/\/uploads\/[A-Za-z0-9_-]{43}$/);
    expect(staged.headers).toEqual({ 'Content-Type': 'audio/wav' });
    const left = new Date(staged.upload.expiresAt).getTime() - Date.now();
    expect(left).toBeGreaterThan(9 * 60_000);
    expect(left).toBeLessThanOrEqual(10 * 60_000);
    // The token is stored hashed: the URL's last part is nowhere in the row.
    const [row] = await s.server.app.db.select().from(stagedUploads).where(eq(stagedUploads.id, staged.upload.id));
    expect(JSON.stringify(row)).not.toContain(staged.url.split('/').pop());
    for (let i = 0; i < 4; i++) await stage(s, a, audio('audio/ogg'));
    expect((await stageFail(s, a, audio('audio/ogg')))?.code).toBe('RATE_LIMITED');
  });

  it("is the viewer's own: another user's upload is NOT_FOUND; a READ key cannot stage", async () => {
    const [a, b] = [await s.register(), await s.register()];
    const staged = await stage(s, a, { purpose: 'CALENDAR_IMPORT', contentType: 'text/calendar', size: 10 });
    expect((await s.fail(UPLOAD, { id: staged.upload.id }, { token: b.token })).extensions?.code).toBe('NOT_FOUND');
    expect((await s.fail(UPLOAD, { id: 'nope' }, { token: a.token })).extensions?.code).toBe('NOT_FOUND');
    const key = (
      await s.ok(`mutation { createApiKey(input: { name: "r", scopes: [READ] }) { secret } }`, {}, { token: a.token })
    ).createApiKey.secret;
    const i = { purpose: 'CALENDAR_IMPORT', contentType: 'text/calendar', size: 10 };
    expect((await s.fail(STAGE, { i }, { token: key })).extensions?.code).toBe('FORBIDDEN');
    expect((await s.ok(UPLOAD, { id: staged.upload.id }, { token: key })).stagedUpload.status).toBe('WAITING');
  });
});

describe('PUT /uploads/<token>', () => {
  it('receives the declared bytes once, in chunks in the database, and reads the duration from the container', async () => {
    const a = await s.register();
    const ogg = speech('Water the plants on Sunday.', 'ogg');
    const wav = Buffer.concat([speech('Water the plants on Sunday.'), Buffer.alloc(0)]);
    for (const [bytes, type] of [
      [ogg, AUDIO_TYPE.ogg],
      [wav, AUDIO_TYPE.wav],
      [speech('Water the plants on Sunday.', 'mp3'), AUDIO_TYPE.mp3],
      [speech('Water the plants on Sunday.', 'flac'), AUDIO_TYPE.flac],
    ] as const) {
      const staged = await stage(s, a, { purpose: 'CAPTURE_AUDIO', contentType: type, size: bytes.length });
      const res = await put(staged.url, bytes, type);
      const body = (await res.json()) as { error?: string; durationSeconds: number };
      expect([type, res.status, body.error]).toEqual([type, 200, undefined]);
      expect(body).toMatchObject({ status: 'RECEIVED', size: bytes.length });
      expect(body.durationSeconds).toBeGreaterThan(1);
      expect(body.durationSeconds).toBeLessThan(5);
      expect(await upload(a, staged.upload.id)).toMatchObject({ status: 'RECEIVED', size: bytes.length });
      // A second PUT with the same URL: 409, the upload unchanged.
      expect((await put(staged.url, bytes, type)).status).toBe(409);
      expect((await upload(a, staged.upload.id)).status).toBe('RECEIVED');
    }
    // 600 KB of WAV: three chunk rows, byte-identical when joined.
    const long = silence(37);
    expect(long.length).toBeGreaterThan(512 * 1024);
    const staged = await stage(s, a, { purpose: 'CAPTURE_AUDIO', contentType: 'audio/x-wav', size: long.length });
    expect((await put(staged.url, long, 'audio/x-wav')).status).toBe(200);
    const rows = await s.server.app.db
      .select()
      .from(uploadChunks)
      .where(eq(uploadChunks.uploadId, staged.upload.id))
      .orderBy(uploadChunks.seq);
    expect(rows.length).toBe(Math.ceil(long.length / (256 * 1024)));
    expect(Buffer.concat(rows.map((r) => r.bytes)).equals(long)).toBe(true);
    // A calendar: BEGIN:VCALENDAR is its magic.
    const ics = 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n';
    const cal = await stage(s, a, { purpose: 'CALENDAR_IMPORT', contentType: 'text/calendar', size: ics.length });
    expect((await put(cal.url, ics, 'text/calendar')).status).toBe(200);
  });

  it('refuses with the contract status and leaves the upload REJECTED without bytes', async () => {
    const a = await s.register();
    const wav = speech('Call the dentist.');
    const ogg = speech('Call the dentist.', 'ogg');
    const cases: Array<[string, number, () => { type: string; size: number; body: Buffer | string; sent: string }]> = [
      ['another Content-Type', 415, () => ({ type: 'audio/wav', size: wav.length, body: wav, sent: 'audio/ogg' })],
      [
        'more bytes than declared',
        413,
        () => ({ type: 'audio/wav', size: wav.length - 10, body: wav, sent: 'audio/wav' }),
      ],
      [
        'fewer bytes than declared',
        400,
        () => ({ type: 'audio/wav', size: wav.length + 10, body: wav, sent: 'audio/wav' }),
      ],
      ['WAV declared as OGG', 415, () => ({ type: 'audio/ogg', size: wav.length, body: wav, sent: 'audio/ogg' })],
      [
        'random bytes as OGG',
        415,
        () => ({ type: 'audio/ogg', size: ogg.length, body: Buffer.alloc(ogg.length, 7), sent: 'audio/ogg' }),
      ],
      [
        'a text as a calendar',
        415,
        () => ({ type: 'text/calendar', size: 11, body: 'hello world', sent: 'text/calendar' }),
      ],
      [
        'audio over 600 s',
        422,
        () => {
          const body = silence(601, 'ogg');
          return { type: 'audio/ogg', size: body.length, body, sent: 'audio/ogg' };
        },
      ],
    ];
    for (const [what, status, make] of cases) {
      const c = make();
      const purpose = c.type === 'text/calendar' ? 'CALENDAR_IMPORT' : 'CAPTURE_AUDIO';
      const staged = await stage(s, a, { purpose, contentType: c.type, size: c.size });
      const res = await put(staged.url, c.body, c.sent);
      expect([what, res.status]).toEqual([what, status]);
      const after = await upload(a, staged.upload.id);
      expect([what, after.status, typeof after.error]).toEqual([what, 'REJECTED', 'string']);
      const chunks = await s.server.app.db
        .select()
        .from(uploadChunks)
        .where(eq(uploadChunks.uploadId, staged.upload.id));
      expect(chunks).toHaveLength(0);
      expect((await put(staged.url, c.body, c.type)).status).toBe(409);
    }
  });

  it('answers 404 to an unknown, malformed or expired token, and the expired upload is EXPIRED', async () => {
    const a = await s.register();
    const base = `${s.url}/uploads/`;
    expect((await put(`${base}${'A'.repeat(43)}`, 'x', 'audio/wav')).status).toBe(404);
    expect((await put(`${base}short`, 'x', 'audio/wav')).status).toBe(404);
    const staged = await stage(s, a, { purpose: 'CALENDAR_IMPORT', contentType: 'text/calendar', size: 15 });
    await s.server.app.db
      .update(stagedUploads)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(stagedUploads.id, staged.upload.id));
    expect((await put(staged.url, 'BEGIN:VCALENDAR', 'text/calendar')).status).toBe(404);
    expect((await upload(a, staged.upload.id)).status).toBe('EXPIRED');
    // PUT only: the URL answers nothing else.
    const fresh = await stage(s, a, { purpose: 'CALENDAR_IMPORT', contentType: 'text/calendar', size: 15 });
    expect(
      (
        await fetch(local(fresh.url), {
          method: 'POST',
          body: 'BEGIN:VCALENDAR',
          headers: { 'content-type': 'text/calendar' },
        })
      ).status,
    ).toBe(404);
    expect((await put(fresh.url, 'BEGIN:VCALENDAR', 'text/calendar')).status).toBe(200);
  });
});

describe('request deadlines', () => {
  it('cuts a slow sender to /graphql at REQUEST_TIMEOUT_MS, while a slow upload goes on to the end', async () => {
    const slow = await startServer({ STT_BASE_URL: 'http://127.0.0.1:9/v1', REQUEST_TIMEOUT_MS: '1000' });
    try {
      const a = await slow.register();
      const drip = (path: string, type: string, body: Buffer, headers: Record<string, string> = {}) =>
        new Promise<{ status: number | null; ms: number }>((resolve) => {
          const started = Date.now();
          const req = request(`${slow.url}${path}`, {
            method: path === '/graphql' ? 'POST' : 'PUT',
            headers: { 'content-type': type, 'content-length': String(body.length), ...headers },
          });
          req.on('response', (res) => {
            res.resume();
            resolve({ status: res.statusCode ?? null, ms: Date.now() - started });
          });
          req.on('error', () => resolve({ status: null, ms: Date.now() - started }));
          // Four pieces, 600 ms apart: 1.8 s in all.
          let i = 0;
          const piece = Math.ceil(body.length / 4);
          const next = () => {
            req.write(body.subarray(i * piece, (i + 1) * piece));
            if (++i < 4) setTimeout(next, 600);
            else req.end();
          };
          next();
        });
      const query = Buffer.from(JSON.stringify({ query: '{ __typename }' }));
      const cut = await drip('/graphql', 'application/json', query);
      expect(cut.status).toBeNull();
      expect(cut.ms).toBeLessThan(1700);
      const ics = Buffer.from('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n');
      const staged = (
        await slow.ok(
          `mutation S($n: Int!) { stageUpload(input: { purpose: CALENDAR_IMPORT, contentType: "text/calendar", size: $n }) { url } }`,
          { n: ics.length },
          { token: a.token },
        )
      ).stageUpload;
      const upload = await drip(new URL(staged.url).pathname, 'text/calendar', ics);
      expect(upload.status).toBe(200);
      expect(upload.ms).toBeGreaterThan(1700);
    } finally {
      await slow.close();
    }
  });
});
