import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Dovecot, rawMail, startDovecot } from '../helpers/dovecot.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { closeAll } from '../helpers/teardown.js';
import { CONNECT, input, mailbox, settled } from './mail-helpers.js';

/** Spam and broken mailers: a message that does not parse is stored with what could be read, and the sync goes on. */
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

const withDate = (subject: string, date: string) =>
  rawMail({ from: 'spam@test.example', to: 'x@test.example', subject, text: `${subject} body` }).replace(
    /^Date: .*$/m,
    `Date: ${date}`,
  );

describe('malformed messages', () => {
  it('a Date header that is not a date or past year 9999, an unknown charset and a broken structure: all stored, the sync succeeds', async () => {
    const a = await s.register();
    const user = mailbox(imap);
    const box = await imap.client(user);
    await box.append('INBOX', withDate('No date', 'not a date at all'));
    await box.append('INBOX', withDate('Far future', 'Mon, 1 Jan 275760 00:00:00 +0000'));
    await box.append(
      'INBOX',
      rawMail({
        from: 'spam@test.example',
        to: user,
        subject: 'Odd charset',
        text: '',
        body: '\r\nCaf\xe9 au lait\r\n',
        extraHeaders: 'Content-Type: text/plain; charset=x-no-such-charset\r\n',
      }),
    );
    await box.append(
      'INBOX',
      rawMail({
        from: 'spam@test.example',
        to: user,
        subject: 'Broken multipart',
        text: '',
        body: '\r\n--never-closed\r\nContent-Type: text/plain\r\n\r\npart one',
        extraHeaders: 'Content-Type: multipart/mixed; boundary="never-closed"\r\n',
      }),
    );
    await box.append('INBOX', rawMail({ from: 'bob@test.example', to: user, subject: 'Fine', text: 'ok' }));
    await box.logout();
    const acc = (await s.ok(CONNECT, { i: input(imap, user) }, { token: a.token })).connectMailAccount;
    const done = await settled(s, a, acc.id);
    expect(done).toMatchObject({ syncState: 'IDLE', lastError: null, messageCount: 5 });
    const messages = (
      await s.ok(
        `{ mailThreads(first: 20) { edges { node { messages { subject snippet sentAt } } } } }`,
        {},
        { token: a.token },
      )
    ).mailThreads.edges.map((e: any) => e.node.messages[0]);
    const bySubject = Object.fromEntries(messages.map((m: any) => [m.subject, m]));
    expect(Object.keys(bySubject).sort()).toEqual(
      ['Broken multipart', 'Far future', 'Fine', 'No date', 'Odd charset'].sort(),
    );
    // A date that cannot be read is left out (null), never a made-up one.
    expect(bySubject['No date'].sentAt).toBeNull();
    expect(bySubject['Far future'].sentAt).toBeNull();
    expect(bySubject['Odd charset'].snippet).toMatch(/Caf.+ au lait/);
    expect(bySubject['Broken multipart'].snippet).toMatch(/part one/);
  });
});
