import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execRows } from '../../src/db/client.js';
import { type Dovecot, rawMail, startDovecot } from '../helpers/dovecot.js';
import { loadConfig } from '../../src/shared/config.js';
import { createServer } from '../../src/http/server.js';
import { createClient } from '../helpers/client.js';
import { type TestServer, freshDatabase, startServer } from '../helpers/server.js';
import { waitFor } from '../helpers/ws.js';
import { CONNECT, accountOf, input, mailbox, settled, sync, threads } from './mail-helpers.js';
import { closeAll } from '../helpers/teardown.js';

let s: TestServer;
let imap: Dovecot;
beforeAll(async () => {
  imap = await startDovecot();
  s = await startServer({ JOBS_POLL_MS: '500', MAIL_SYNC_INTERVAL_S: '3600', MAIL_CONNECT_TIMEOUT_MS: '20000' });
});
afterAll(async () => {
  await closeAll(s);
  await closeAll(imap);
});

describe('connecting a mail account', () => {
  it('logs in before storing anything: wrong password, unknown host, closed port are BAD_USER_INPUT naming the field', async () => {
    const a = await s.register();
    const user = mailbox(imap);
    const fail = async (i: Record<string, unknown>) => (await s.fail(CONNECT, { i }, { token: a.token })).extensions;
    // Every failure before a signed-in session answers the same: no map of hosts and ports.
    const same = {
      code: 'BAD_USER_INPUT',
      fields: { imapHost: 'Could not sign in to the IMAP server with these settings' },
    };
    expect(await fail({ ...input(imap, user), password: 'wrong' })).toEqual(same);
    expect(await fail({ ...input(imap, user), imapHost: 'no-such-host.invalid' })).toEqual(same);
    expect(await fail({ ...input(imap, user), imapPort: 1 })).toEqual(same);
    expect(await fail({ ...input(imap, user), imapPort: 70000 })).toMatchObject({
      code: 'BAD_USER_INPUT',
      fields: { imapPort: 'The port is 1-65535' },
    });
    expect((await s.ok(`{ mailAccounts { id } }`, {}, { token: a.token })).mailAccounts).toEqual([]);
    const [{ n } = { n: -1 }] = await execRows<{ n: number }>(
      s.server.app.db,
      sql`select count(*)::int as n from mail_accounts where user_id = ${a.userId}`,
    );
    expect(n).toBe(0);
  });

  it('stores the password encrypted and never returns it', async () => {
    const a = await s.register();
    const user = mailbox(imap, 'a-very-secret-password');
    const acc = (await s.ok(CONNECT, { i: input(imap, user, 'a-very-secret-password') }, { token: a.token }))
      .connectMailAccount;
    expect(JSON.stringify(acc)).not.toContain('a-very-secret-password');
    const [row] = await execRows<{ password_enc: string }>(
      s.server.app.db,
      sql`select password_enc from mail_accounts where id = ${acc.id}`,
    );
    expect(row!.password_enc).toMatch(/^v1\./);
    expect(row!.password_enc).not.toContain('secret');
    await settled(s, a, acc.id);
  });
});

describe('sync', () => {
  it('first and incremental sync, threads, flags both ways, expunge, a new UIDVALIDITY, a malformed message, EMAIL_RECEIVED', async () => {
    const a = await s.register();
    const user = mailbox(imap);
    const box = await imap.client(user);
    const at = (minutes: number) => new Date(Date.UTC(2026, 10, 30, 9, minutes));
    await box.append(
      'INBOX',
      rawMail({
        date: at(1),
        from: 'Bob <bob@test.example>',
        to: user,
        subject: 'Dentist on Friday',
        text: 'Shall we meet after the dentist?',
        messageId: '<m1@test.example>',
      }),
    );
    await box.append(
      'INBOX',
      rawMail({
        date: at(2),
        from: 'Carol <carol@test.example>',
        to: user,
        subject: 'Invoice 42',
        text: 'Please find the invoice.',
        messageId: '<m2@test.example>',
      }),
      ['\\Seen'],
    );
    await box.append(
      'INBOX',
      rawMail({
        date: at(3),
        from: 'Bob <bob@test.example>',
        to: user,
        subject: 'Re: Dentist on Friday',
        text: 'Or Saturday?',
        messageId: '<m3@test.example>',
        inReplyTo: '<m1@test.example>',
        references: '<m1@test.example>',
      }),
    );
    await box.append(
      'Sent',
      rawMail({
        date: at(4),
        from: user,
        to: 'bob@test.example',
        subject: 'Re: Dentist on Friday',
        text: 'Friday works.',
        messageId: '<m4@test.example>',
        inReplyTo: '<m3@test.example>',
        references: '<m1@test.example> <m3@test.example>',
      }),
      ['\\Seen'],
    );
    const acc = (await s.ok(CONNECT, { i: input(imap, user) }, { token: a.token })).connectMailAccount;
    expect(acc).toMatchObject({ email: user, syncState: 'PENDING', messageCount: 0 });
    expect(await settled(s, a, acc.id)).toMatchObject({ syncState: 'IDLE', lastError: null, messageCount: 4 });
    let t = await threads(s, a);
    expect(t.totalCount).toBe(2);
    const dentist = t.edges.map((e: any) => e.node).find((x: any) => x.subject === 'Dentist on Friday');
    expect(dentist.messages.map((m: any) => [m.folder, m.messageId])).toEqual([
      ['INBOX', '<m1@test.example>'],
      ['INBOX', '<m3@test.example>'],
      ['Sent', '<m4@test.example>'],
    ]);
    expect(dentist).toMatchObject({ messageCount: 3, unreadCount: 2 });
    expect(dentist.participants.map((p: any) => p.address).sort()).toEqual(['bob@test.example', user].sort());
    expect(dentist.messages[0]).toMatchObject({
      snippet: 'Shall we meet after the dentist?',
      from: { name: 'Bob', address: 'bob@test.example' },
      seen: false,
    });
    // The first sync raises no EMAIL_RECEIVED (it is history); a run twice stores nothing twice.
    const kinds = async () =>
      (
        await s.ok(`{ notifications(first: 50) { edges { node { kind entityId } } } }`, {}, { token: a.token })
      ).notifications.edges
        .map((e: any) => e.node)
        .filter((x: any) => x.kind === 'EMAIL_RECEIVED');
    expect(await kinds()).toEqual([]);
    expect((await sync(s, a, acc.id)).messageCount).toBe(4);

    // Incremental: a new message, a flag set on the server, a message expunged on the server.
    await box.append(
      'INBOX',
      rawMail({
        from: 'Dan <dan@test.example>',
        to: user,
        subject: 'Garden party',
        text: 'Bring tulips.',
        messageId: '<m5@test.example>',
      }),
    );
    await box.mailboxOpen('INBOX');
    await box
      .messageFlagsAdd({ header: { 'message-id': '<m1@test.example>' } }, ['\\Seen'])
      .catch(async () => box.messageFlagsAdd('1', ['\\Seen']));
    await box.messageDelete('2');
    expect((await sync(s, a, acc.id)).messageCount).toBe(4);
    t = await threads(s, a);
    expect(t.edges.map((e: any) => e.node.subject).sort()).toEqual(['Dentist on Friday', 'Garden party']);
    const received = await kinds();
    expect(received).toHaveLength(1);
    const garden = t.edges.find((e: any) => e.node.subject === 'Garden party').node;
    expect(received[0].entityId).toBe(garden.messages[0].id);
    const first = (await threads(s, a)).edges.find((e: any) => e.node.subject === 'Dentist on Friday').node.messages[0];
    expect(first.seen).toBe(true);

    // Seen from Orbit reaches the server.
    expect(
      await s.ok(
        `mutation S($ids: [ID!]!) { setEmailsSeen(ids: $ids, seen: true) }`,
        { ids: [garden.messages[0].id] },
        { token: a.token },
      ),
    ).toEqual({ setEmailsSeen: 1 });
    await box.mailboxOpen('INBOX');
    const flags = new Map<string, boolean>();
    for await (const m of box.fetch('1:*', { envelope: true, flags: true }))
      flags.set(m.envelope!.messageId!, m.flags!.has('\\Seen'));
    expect(flags.get('<m5@test.example>')).toBe(true);

    // A new UIDVALIDITY (the Sent folder deleted and made again): that folder is synced afresh.
    await box.mailboxDelete('Sent');
    await box.mailboxCreate('Sent');
    await box.append(
      'Sent',
      rawMail({
        from: user,
        to: 'dan@test.example',
        subject: 'Re: Garden party',
        text: 'With pleasure',
        messageId: '<m6@test.example>',
        inReplyTo: '<m5@test.example>',
      }),
      ['\\Seen'],
    );
    // A message whose MIME nests deeper than a message should: stored with what parsed, the run PARTIAL.
    const deep =
      Array.from({ length: 30 }, (_, i) => `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`).join(
        '',
      ) + 'Content-Type: text/plain\r\n\r\nhidden\r\n';
    await box.append(
      'INBOX',
      rawMail({
        from: 'Eve <eve@test.example>',
        to: user,
        subject: 'Broken MIME',
        text: '',
        messageId: '<m7@test.example>',
        body: deep,
      }),
    );
    expect((await sync(s, a, acc.id)).messageCount).toBe(5);
    t = await threads(s, a);
    const sent = t.edges
      .flatMap((e: any) => e.node.messages)
      .filter((m: any) => m.folder === 'Sent')
      .map((m: any) => m.messageId);
    expect(sent).toEqual(['<m6@test.example>']);
    expect(t.edges.find((e: any) => e.node.subject === 'Garden party').node.messageCount).toBe(2);
    expect(t.edges.some((e: any) => e.node.subject === 'Broken MIME')).toBe(true);
    const logs = (
      await s.ok(
        `{ integrationLogs(integration: "imap", first: 10) { totalCount edges { node { action status itemsProcessed message } } } }`,
        {},
        { token: a.token },
      )
    ).integrationLogs;
    expect(logs.edges[0].node).toMatchObject({
      action: 'sync',
      status: 'PARTIAL',
      message: expect.stringContaining('not stored in full'),
    });
    expect(logs.edges.at(-1).node).toMatchObject({ status: 'SUCCESS', itemsProcessed: 4 });
    await box.logout();
  });

  it('a password changed later: the sync FAILS with the reason, keeps the mail, and recovers after reconnecting', async () => {
    const a = await s.register();
    const user = mailbox(imap, 'first-password');
    const box = await imap.client(user);
    await box.append('INBOX', rawMail({ from: 'bob@test.example', to: user, subject: 'Hello', text: 'Hi' }));
    await box.logout();
    const acc = (await s.ok(CONNECT, { i: input(imap, user, 'first-password') }, { token: a.token }))
      .connectMailAccount;
    await settled(s, a, acc.id);
    await imap.changePassword(user, 'second-password-longer');
    const failed = await sync(s, a, acc.id);
    expect(failed).toMatchObject({
      syncState: 'FAILED',
      lastError: 'The IMAP server refused the username or password',
      messageCount: 1,
    });
    const log = (
      await s.ok(`{ integrationLogs(first: 1) { edges { node { status message } } } }`, {}, { token: a.token })
    ).integrationLogs.edges[0].node;
    expect(log).toEqual({ status: 'FAILURE', message: 'The IMAP server refused the username or password' });
    const again = (await s.ok(CONNECT, { i: input(imap, user, 'second-password-longer') }, { token: a.token }))
      .connectMailAccount;
    expect(again.id).toBe(acc.id);
    expect(await settled(s, a, acc.id)).toMatchObject({ syncState: 'IDLE', lastError: null, messageCount: 1 });
  });
});

describe('disconnecting', () => {
  it('deletes the account and every stored message, thread and attachment', async () => {
    const a = await s.register();
    const user = mailbox(imap);
    const box = await imap.client(user);
    await box.append('INBOX', rawMail({ from: 'bob@test.example', to: user, subject: 'Keep?', text: 'No' }));
    await box.logout();
    const acc = (await s.ok(CONNECT, { i: input(imap, user) }, { token: a.token })).connectMailAccount;
    await settled(s, a, acc.id);
    expect(
      await s.ok(`mutation D($id: ID!) { disconnectMailAccount(id: $id) }`, { id: acc.id }, { token: a.token }),
    ).toEqual({ disconnectMailAccount: acc.id });
    for (const table of ['mail_accounts', 'mail_threads', 'email_messages', 'mail_folders']) {
      const [{ n } = { n: -1 }] = await execRows<{ n: number }>(
        s.server.app.db,
        sql`select count(*)::int as n from ${sql.raw(table)} where ${sql.raw(table === 'mail_folders' ? 'account_id' : table === 'mail_accounts' ? 'id' : 'account_id')} = ${acc.id}`,
      );
      expect(n).toBe(0);
    }
    expect(await accountOf(s, a, acc.id)).toBeUndefined();
  });
});

describe('a sync cut short', () => {
  it('stops between batches when the server stops, and resumes from its cursor at the next start', async () => {
    const db = await freshDatabase();
    const config = () =>
      loadConfig({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        ARGON2_MEMORY_KIB: '1024',
        ARGON2_TIME_COST: '1',
        JWT_SECRET: 'z'.repeat(64),
        SECRETS_KEY: 'a'.repeat(64),
        JOBS_POLL_MS: '500',
        MAIL_SYNC_INTERVAL_S: '3600',
        ...db.env,
      });
    const user = mailbox(imap);
    const box = await imap.client(user);
    for (let i = 0; i < 600; i++)
      await box.append(
        'INBOX',
        rawMail({
          from: 'bulk@test.example',
          to: user,
          subject: `Bulk ${i}`,
          text: `Message ${i}`,
          messageId: `<bulk${i}-${user}>`,
        }),
      );
    await box.logout();
    let server = await createServer(config());
    try {
      let client = createClient(`${await server.listen(0, '127.0.0.1')}/graphql`);
      const a = await client.register();
      const acc = (await client.ok(CONNECT, { i: input(imap, user) }, { token: a.token })).connectMailAccount;
      const count = async () =>
        Number(
          (
            await execRows<{ n: number }>(
              server.app.db,
              sql`select count(*)::int as n from email_messages where account_id = ${acc.id}`,
            )
          )[0]!.n,
        );
      await waitFor(async () => (await count()) > 0, 'the first batch');
      await server.stop();
      server = await createServer(config());
      const stored = await count();
      expect(stored).toBeGreaterThan(0);
      expect(stored).toBeLessThan(600);
      const [state] = await execRows<{ sync_state: string }>(
        server.app.db,
        sql`select sync_state from mail_accounts where id = ${acc.id}`,
      );
      expect(state!.sync_state).toBe('PENDING');
      client = createClient(`${await server.listen(0, '127.0.0.1')}/graphql`);
      await waitFor(async () => (await count()) === 600, 'the rest of the mailbox', 60_000);
      const logs = (
        await client.ok(`{ integrationLogs(first: 5) { edges { node { status message } } } }`, {}, { token: a.token })
      ).integrationLogs.edges.map((e: any) => e.node);
      expect(logs.at(-1)).toMatchObject({
        status: 'PARTIAL',
        message: expect.stringContaining('interrupted by a shutdown'),
      });
    } finally {
      await server.stop();
      await db.drop();
    }
  }, 120_000);
});
