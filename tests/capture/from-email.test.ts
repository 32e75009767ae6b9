import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tasks } from '../../src/db/schema/index.js';
import { type Dovecot, rawMail, startDovecot } from '../helpers/dovecot.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { closeAll } from '../helpers/teardown.js';
import { CONNECT, input, mailbox, settled, threads } from '../mail/mail-helpers.js';
import { createList } from '../tasks/helpers.js';

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

const FROM_EMAIL = `mutation F($e: ID!, $t: Boolean) { createCaptureFromEmail(emailId: $e, triage: $t) { id source status text
  suggestions { id draft { ... on TaskDraft { title } } } } }`;

describe('createCaptureFromEmail', () => {
  it("makes one capture of one of the viewer's emails; its words stay foreign once accepted", async () => {
    const a = await s.register();
    const b = await s.register();
    await createList(s, a, 'Inbox tasks');
    const user = mailbox(imap);
    const box = await imap.client(user);
    await box.append(
      'INBOX',
      rawMail({
        from: 'landlord@test.example',
        to: user,
        subject: 'Boiler service',
        text: 'Please be home Friday.\r\nThanks',
      }),
    );
    await box.logout();
    const acc = (await s.ok(CONNECT, { i: input(imap, user) }, { token: a.token })).connectMailAccount;
    await settled(s, a, acc.id);
    const emailId = (await threads(s, a)).edges[0].node.messages[0].id as string;

    const c = (await s.ok(FROM_EMAIL, { e: emailId }, { token: a.token })).createCaptureFromEmail;
    expect(c).toMatchObject({ source: 'EMAIL', status: 'NEEDS_REVIEW' });
    expect(c.text).toMatch(/^Boiler service\n\nPlease be home Friday\.\nThanks/);
    expect(c.suggestions.map((x: any) => x.draft.title)).toEqual(['Boiler service', 'Please be home.', 'Thanks']);
    // Again: the same capture, whatever triage says.
    const again = (await s.ok(FROM_EMAIL, { e: emailId, t: false }, { token: a.token })).createCaptureFromEmail;
    expect(again.id).toBe(c.id);
    // Someone else's email, or no email: NOT_FOUND.
    for (const e of [emailId, '00000000-0000-4000-8000-000000000000', 'nope'])
      expect((await s.fail(FROM_EMAIL, { e }, { token: b.token })).extensions?.code).toBe('NOT_FOUND');

    const made = (
      await s.ok(
        `mutation A($id: ID!) { acceptCaptureSuggestion(id: $id) { result { ... on Task { id title } } } }`,
        { id: c.suggestions[0].id },
        { token: a.token },
      )
    ).acceptCaptureSuggestion.result;
    expect(made.title).toBe('Boiler service');
    const [row] = await s.server.app.db.select({ author: tasks.textAuthorId }).from(tasks).where(eq(tasks.id, made.id));
    expect(row!.author).toBeNull();
  });
});
