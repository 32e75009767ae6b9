import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dovecot, startDovecot } from '../helpers/dovecot.js';
import { createClient } from '../helpers/client.js';
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
const ENV = { JOBS_LEASE_S: '2', JOBS_POLL_MS: '100', MAIL_SYNC_INTERVAL_S: '3600', MAIL_CONNECT_TIMEOUT_MS: '20000' };
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

describe('a replica killed right after the SMTP server accepted', () => {
  it('sends the message once: the next attempt finds it in Sent and marks it SENT', async () => {
    const first: Replica = teardown.first(await startReplica(pg.url, { env: ENV }));
    const api = createClient(`${first.url}/graphql`);
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
      await api.ok(
        SAVE,
        { i: { accountId: acc.id, to: ['bob@test.example'], subject: 'Once', text: 'Only once.' } },
        { token: a.token },
      )
    ).saveDraft;
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

    // Another replica takes the job once the dead one's 2 s lease ends.
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
  });
});
