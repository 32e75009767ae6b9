import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dovecot, startDovecot } from '../helpers/dovecot.js';
import { type GqlClient, createClient } from '../helpers/client.js';
import { startSmtpPeer } from '../helpers/smtp-peer.js';
import { waitFor } from '../helpers/ws.js';
import { CONNECT, input, mailbox } from '../mail/mail-helpers.js';
import { type Cluster, Teardown, startCluster } from './cluster.js';
import { type Replica, startReplica } from './replica.js';

/**
 * Effects that happen once: a replica SIGKILLed after the SMTP server kept a message, but before it
 * heard so, must not send the message again. Like Gmail, this SMTP peer files what it accepts in
 * the account's Sent folder (Dovecot); the next attempt finds the Message-ID there and marks it SENT.
 */
let pg: Cluster;
let imap: Dovecot;
let smtp: Awaited<ReturnType<typeof startSmtpPeer>>;
let user: string;
const teardown = new Teardown();
const ENV = { JOBS_LEASE_S: '10', JOBS_POLL_MS: '500', MAIL_SYNC_INTERVAL_S: '3600', MAIL_CONNECT_TIMEOUT_MS: '20000' };
beforeAll(async () => {
  pg = teardown.last(await startCluster());
  imap = await startDovecot();
  user = mailbox(imap, 'pw-send-once');
  smtp = await startSmtpPeer({ user, pass: 'pw-send-once' });
}, 90_000);
afterAll(async () => {
  await teardown.run();
  await smtp.close();
  await imap.stop();
});

const DRAFT = `fragment D on EmailDraft { id status error sentAt }`;
const SAVE = `mutation S($i: DraftInput!) { saveDraft(input: $i) { ...D } } ${DRAFT}`;
const SEND = `mutation S($id: ID!) { sendDraft(id: $id) { ...D } } ${DRAFT}`;
const DRAFTS = `{ emailDrafts { ...D } } ${DRAFT}`;
const ACCOUNTS = `{ mailAccounts { id syncState } }`;

/** A new user with the test mailbox connected (its first sync has found Sent) and a draft to send. */
async function accountWithDraft(api: GqlClient, subject: string, text: string) {
  const a = await api.register();
  const acc = (await api.ok(CONNECT, { i: input(imap, user, 'pw-send-once', smtp) }, { token: a.token }))
    .connectMailAccount;
  // The first sync finds the Sent folder (by its special-use flag).
  await waitFor(
    async () => (await api.ok(ACCOUNTS, {}, { token: a.token })).mailAccounts[0].syncState === 'IDLE',
    'the first sync',
    30_000,
  );
  const draft = (
    await api.ok(SAVE, { i: { accountId: acc.id, to: ['bob@test.example'], subject, text } }, { token: a.token })
  ).saveDraft;
  return { a, draft };
}

describe('a replica killed right after the SMTP server accepted', () => {
  it('sends the message once: the next attempt finds it in Sent and marks it SENT', async () => {
    const first: Replica = teardown.first(await startReplica(pg.url, { env: ENV }));
    const api = createClient(`${first.url}/graphql`);
    const { a, draft } = await accountWithDraft(api, 'Once', 'Only once.');
    let messageId = '';
    smtp.beforeReply(async (raw) => {
      messageId = /^Message-ID: (.+?)\r?$/im.exec(raw)?.[1] ?? '';
      const box = await imap.client(user);
      try {
        await box.append('Sent', raw, ['\\Seen']);
      } finally {
        await box.logout();
      }
      first.child.kill('SIGKILL');
      await first.exited;
    });
    expect((await api.ok(SEND, { id: draft.id }, { token: a.token })).sendDraft.status).toBe('QUEUED');
    await first.exited;
    smtp.beforeReply(undefined);
    expect(messageId).toMatch(/^<.+>$/);

    // Another replica takes the job once the dead one's heartbeat (10 s) lapses.
    const second = teardown.first(await startReplica(pg.url, { env: ENV }));
    const api2 = createClient(`${second.url}/graphql`);
    let status = '';
    await waitFor(
      async () => {
        status = (await api2.ok(DRAFTS, {}, { token: a.token })).emailDrafts[0].status;
        return status === 'SENT' || status === 'FAILED';
      },
      'the draft to be settled',
      30_000,
    );
    expect(status).toBe('SENT');
    expect(smtp.deliveries(messageId)).toBe(1);
    // The dead replica's run is ended by the reaper; the second one's says what it found.
    let sends: Array<{ status: string; message: string }> = [];
    await waitFor(
      async () => {
        const logs = await api2.ok(
          `{ integrationLogs(first: 10) { edges { node { action status message } } } }`,
          {},
          {
            token: a.token,
          },
        );
        sends = logs.integrationLogs.edges.map((e: any) => e.node).filter((l: any) => l.action === 'send');
        return sends.every((l) => l.status !== 'RUNNING');
      },
      'the killed run to be ended',
      20_000,
    );
    expect(sends.map((l) => l.status).sort()).toEqual(['FAILURE', 'SUCCESS']);
    expect(sends.find((l) => l.status === 'SUCCESS')?.message).toMatch(/in Sent: it had been sent/);
    expect(sends.find((l) => l.status === 'FAILURE')?.message).toMatch(/the worker running it stopped/);
    // Its jobs are done: the next test's replicas are the only workers.
    expect(await second.kill('SIGTERM')).toBe(0);
  }, 90_000);
});

describe('a job that kills its worker on every attempt', () => {
  it('is given up after JOBS_MAX_ATTEMPTS: the draft says so, and the replica that finds it stays up', async () => {
    const env = { ...ENV, JOBS_MAX_ATTEMPTS: '2' };
    let replica: Replica = teardown.first(await startReplica(pg.url, { env }));
    let api = createClient(`${replica.url}/graphql`);
    const { a, draft } = await accountWithDraft(api, 'Poison', 'Kills its sender.');
    // Whatever replica sends it dies mid-send (not filed in Sent: each attempt sends again).
    let killed = 0;
    let messageId = '';
    smtp.beforeReply(async (raw) => {
      messageId = /^Message-ID: (.+?)\r?$/im.exec(raw)?.[1] ?? '';
      killed += 1;
      replica.child.kill('SIGKILL');
      await replica.exited;
    });
    try {
      expect((await api.ok(SEND, { id: draft.id }, { token: a.token })).sendDraft.status).toBe('QUEUED');
      // A supervisor restarts each killed replica; the job goes on to its next attempt there.
      for (let attempt = 1; attempt <= 2; attempt++) {
        expect(await replica.exited).toBe(-1);
        replica = teardown.first(await startReplica(pg.url, { env }));
      }
      api = createClient(`${replica.url}/graphql`);
      let now: { status: string; error: string | null } = { status: '', error: null };
      await waitFor(
        async () => {
          now = (await api.ok(DRAFTS, {}, { token: a.token })).emailDrafts.find((d: any) => d.id === draft.id);
          return now.status === 'FAILED';
        },
        'the draft to be given up',
        40_000,
      );
      expect(now.error).toMatch(/stopped unfinished on every attempt; it may have been sent/);
    } finally {
      smtp.beforeReply(undefined);
    }
    expect(killed).toBe(2);
    expect(smtp.deliveries(messageId)).toBe(2);
    // The third replica never ran it, and is still up and serving.
    await new Promise((r) => setTimeout(r, 1000));
    expect(replica.child.exitCode).toBeNull();
    expect((await api.ok(`{ me { id } }`, {}, { token: a.token })).me.id).toBe(a.userId);
  }, 120_000);
});
