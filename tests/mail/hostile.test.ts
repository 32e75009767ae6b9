import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execRows } from '../../src/db/client.js';
import type { Account } from '../helpers/client.js';
import { type Mode, plainMail, startHostileImap } from '../helpers/hostile-imap.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { closeAll } from '../helpers/teardown.js';
import { waitFor } from '../helpers/ws.js';
import { CONNECT, accountOf, settled, threads } from './mail-helpers.js';

/**
 * A user's own mail server is untrusted input: Orbit's connect and sync run under whole-operation
 * deadlines, never fetch a message over MAIL_MESSAGE_MAX_BYTES, ignore what it did not ask for,
 * store within caps, and give one answer for every failure to connect and sign in.
 */
let s: TestServer;
let peer: Awaited<ReturnType<typeof startHostileImap>>;
const BIG_TEXT = 'lorem ipsum '.repeat(2_000);
beforeAll(async () => {
  peer = await startHostileImap([
    { uid: 1, raw: plainMail('First', 'hello') },
    { uid: 2, raw: plainMail('Long', BIG_TEXT) },
    { uid: 3, raw: plainMail('Third', 'bye') },
  ]);
  s = await startServer({
    JOBS_POLL_MS: '500',
    MAIL_SYNC_INTERVAL_S: '3600',
    MAIL_CONNECT_TIMEOUT_MS: '1500',
    MAIL_SYNC_TIMEOUT_MS: '2500',
    MAIL_TEXT_MAX_CHARS: '5000',
    MAIL_MESSAGE_MAX_BYTES: String(1024 * 1024),
    MAIL_CONNECT_ATTEMPTS_PER_HOUR: '6',
  });
});
afterAll(() => closeAll(s, peer));

const input = (extra: Record<string, unknown> = {}) => ({
  email: `box-${Math.random().toString(36).slice(2, 8)}@test.example`,
  username: 'u',
  password: 'p',
  imapHost: '127.0.0.1',
  imapPort: peer.port,
  imapTls: false,
  ...extra,
});
const SAME = {
  code: 'BAD_USER_INPUT',
  fields: { imapHost: 'Could not sign in to the IMAP server with these settings' },
};

/**
 * Connects in `mode`. Connect only signs in and out, which every sync-time mode answers normally; the
 * mode is set first because the worker may claim the first sync before this test reads the reply.
 */
async function connected(who: Account, mode: Mode = 'normal') {
  peer.set(mode);
  return (await s.ok(CONNECT, { i: input() }, { token: who.token })).connectMailAccount;
}
/** The viewer's integration runs, newest first (each test user has one account). */
const logsOf = async (who: Account, server: TestServer = s) =>
  (
    await server.ok(
      `{ integrationLogs(first: 5) { edges { node { status message startedAt finishedAt } } } }`,
      {},
      { token: who.token },
    )
  ).integrationLogs.edges.map((e: any) => e.node);
const subjects = async (who: Account) => (await threads(s, who)).edges.map((e: any) => e.node.subject as string).sort();

describe('connecting to a hostile server', () => {
  it('a banner that is not IMAP, a closed port and a silent login all get one answer, within the deadline', async () => {
    const a = await s.register();
    peer.set('banner');
    expect((await s.fail(CONNECT, { i: input() }, { token: a.token })).extensions).toEqual(SAME);
    peer.set('normal');
    expect((await s.fail(CONNECT, { i: input({ imapPort: 1 }) }, { token: a.token })).extensions).toEqual(SAME);
    peer.set('drip-login');
    const started = Date.now();
    expect((await s.fail(CONNECT, { i: input() }, { token: a.token })).extensions).toEqual(SAME);
    // MAIL_CONNECT_TIMEOUT_MS is 1.5 s for the whole of it, however chatty the server is, and the
    // session does not outlive the request: Orbit closed its socket.
    expect(Date.now() - started).toBeLessThan(4_000);
    await waitFor(async () => peer.open() === 0, 'the IMAP session to be closed', 2_000);
    peer.set('normal');
  });

  it('limits connect attempts per user: RATE_LIMITED past MAIL_CONNECT_ATTEMPTS_PER_HOUR', async () => {
    const a = await s.register();
    peer.set('banner');
    for (let i = 0; i < 6; i++) await s.fail(CONNECT, { i: input() }, { token: a.token });
    expect((await s.fail(CONNECT, { i: input() }, { token: a.token })).extensions?.code).toBe('RATE_LIMITED');
    peer.set('normal');
    // Another user is not held back by it.
    const b = await s.register();
    expect((await s.ok(CONNECT, { i: input() }, { token: b.token })).connectMailAccount.syncState).toBe('PENDING');
  });

  it('refuses loopback and private hosts unless MAIL_ALLOW_PRIVATE_HOSTS, judged on the resolved address', async () => {
    const strict = await startServer({ MAIL_ALLOW_PRIVATE_HOSTS: 'false', MAIL_CONNECT_TIMEOUT_MS: '1500' });
    try {
      const a = await strict.register();
      const before = peer.stats.connections;
      for (const imapHost of ['127.0.0.1', 'localhost', '10.1.2.3', '[::1]', '169.254.169.254']) {
        const refused = (await strict.fail(CONNECT, { i: input({ imapHost }) }, { token: a.token })).extensions;
        expect(refused, imapHost).toMatchObject({
          code: 'BAD_USER_INPUT',
          fields: { imapHost: expect.stringContaining('not allowed') },
        });
      }
      // Refused before any connection: the peer on 127.0.0.1 never heard of it.
      expect(peer.stats.connections).toBe(before);
    } finally {
      await strict.close();
    }
  });
});

describe('syncing from a hostile server', () => {
  it('ignores unsolicited FETCH data: only the messages asked for are stored', async () => {
    const a = await s.register();
    const acc = await connected(a, 'flood');
    const done = await settled(s, a, acc.id);
    expect(done.syncState).toBe('IDLE');
    expect(await subjects(a)).toEqual(['First', 'Long', 'Third']);
    const [{ n } = { n: -1 }] = await execRows<{ n: number }>(
      s.server.app.db,
      sql`select count(*)::int as n from email_messages where user_id = ${a.userId}`,
    );
    expect(n).toBe(3);
  });

  it('a message over MAIL_MESSAGE_MAX_BYTES is never fetched whole: headers and a note are stored', async () => {
    const a = await s.register();
    const acc = await connected(a, 'huge');
    expect((await settled(s, a, acc.id)).syncState).toBe('IDLE');
    const all = (await threads(s, a)).edges.map((e: any) => e.node.messages[0]);
    const third = all.find((m: any) => m.subject === 'Third');
    expect(third.snippet).toMatch(/^\[This message is 200\.0 MB, over the 1\.0 MB Orbit stores/);
    expect((await logsOf(a))[0]).toMatchObject({ status: 'PARTIAL' });
  });

  it('a server that announces a 200 MB literal is cut off at the library limit; the sync fails cleanly', async () => {
    const a = await s.register();
    const acc = await connected(a, 'liar');
    const done = await settled(s, a, acc.id);
    expect(done.syncState).toBe('FAILED');
    expect(await subjects(a)).toEqual([]);
    expect(process.memoryUsage().rss).toBeLessThan(1.5 * 1024 ** 3);
  });

  it('stored text is capped at MAIL_TEXT_MAX_CHARS, and so is what search reads', async () => {
    const a = await s.register();
    const acc = await connected(a);
    await settled(s, a, acc.id);
    const [row] = await execRows<{ len: number; partial: boolean }>(
      s.server.app.db,
      sql`select length(text)::int as len, partial from email_messages where user_id = ${a.userId} and subject = 'Long'`,
    );
    expect(row).toEqual({ len: 5000, partial: true });
    const hits = (await s.ok(`{ search(query: "lorem", types: [EMAIL]) { title snippet } }`, {}, { token: a.token }))
      .search;
    expect(hits.map((h: any) => h.title)).toEqual(['Long']);
  });

  it('a server that drips one line at a time holds a sync only until MAIL_SYNC_TIMEOUT_MS; others go on', async () => {
    const a = await s.register();
    const slow = await connected(a, 'drip-sync');
    // The account is PENDING before its first sync too: wait for the run's log row to end. The
    // deadline is measured on the run itself (a loaded machine may start the job late).
    await waitFor(async () => (await logsOf(a))[0]?.status === 'PARTIAL', 'the slow sync to stop', 40_000);
    const [run] = await logsOf(a);
    expect(Date.parse(run.finishedAt) - Date.parse(run.startedAt)).toBeLessThan(6_000);
    expect(run.message).toMatch(/stopped at the 2\.5 s deadline/);
    expect((await accountOf(s, a, slow.id)).syncState).toBe('PENDING');
    // The worker is free again: another user's first sync completes.
    const b = await s.register();
    const fast = await connected(b);
    expect((await settled(s, b, fast.id)).syncState).toBe('IDLE');
    expect(await subjects(b)).toEqual(['First', 'Long', 'Third']);
  }, 60_000);

  it('stops storing at the per-user quota and says so', async () => {
    const tight = await startServer({
      JOBS_POLL_MS: '500',
      MAIL_SYNC_INTERVAL_S: '3600',
      MAIL_STORAGE_QUOTA_BYTES: '100',
    });
    try {
      const a = await tight.register();
      peer.set('normal');
      const acc = (await tight.ok(CONNECT, { i: input() }, { token: a.token })).connectMailAccount;
      const done = await settled(tight, a, acc.id);
      expect(done.lastError).toBe('The mail storage quota is used up: new mail is not stored');
      const stored = (await threads(tight, a)).edges.map((e: any) => e.node.subject);
      expect(stored).toEqual(['First']);
      expect((await logsOf(a, tight))[0].status).toBe('PARTIAL');
    } finally {
      await tight.close();
    }
  });
});

describe('caps', () => {
  it('at most MAIL_ACCOUNTS_MAX accounts and MAIL_DRAFTS_MAX drafts per user', async () => {
    const capped = await startServer({ MAIL_ACCOUNTS_MAX: '1', MAIL_DRAFTS_MAX: '2', MAIL_SYNC_INTERVAL_S: '3600' });
    try {
      const a = await capped.register();
      peer.set('normal');
      const acc = (await capped.ok(CONNECT, { i: input() }, { token: a.token })).connectMailAccount;
      expect((await capped.fail(CONNECT, { i: input() }, { token: a.token })).extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        fields: { email: 'At most 1 mail accounts; disconnect one first' },
      });
      const draft = (i: number) =>
        capped.gql(
          `mutation S($i: DraftInput!) { saveDraft(input: $i) { id } }`,
          {
            i: { accountId: acc.id, to: ['y@test.example'], subject: `s${i}`, text: 't' },
          },
          { token: a.token },
        );
      expect((await draft(1)).errors).toBeUndefined();
      expect((await draft(2)).errors).toBeUndefined();
      expect((await draft(3)).errors?.[0]?.extensions?.fields).toEqual({
        id: 'At most 2 drafts; send or delete some first',
      });
    } finally {
      await capped.close();
    }
  });
});
