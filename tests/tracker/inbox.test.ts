import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account } from '../helpers/client.js';
import { type Dovecot, startDovecot } from '../helpers/dovecot.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { closeAll } from '../helpers/teardown.js';
import { code } from './helpers.js';
import { append, delivered, header, supportDesk, ticketsOf } from './inbox-helpers.js';

let s: TestServer;
let imap: Dovecot;
let owner: Account;
const peers: Array<{ close(): Promise<void> }> = [];
beforeAll(async () => {
  imap = await startDovecot();
  s = await startServer({ JOBS_POLL_MS: '500', MAIL_SYNC_INTERVAL_S: '3600', JOBS_MAX_ATTEMPTS: '2' });
  owner = await s.register({ name: 'Olga' });
});
afterAll(async () => {
  for (const p of peers) await closeAll(p);
  await closeAll(s);
  await closeAll(imap);
});
const desk = async (key: string, inbox: Record<string, unknown> = {}, board: Record<string, unknown> = {}) => {
  const d = await supportDesk(s, imap, owner, key, inbox, board);
  peers.push(d.smtp);
  return d;
};
const comment = (id: string, body: string, visibility = 'PUBLIC') =>
  s.ok(
    `mutation C($id: ID!, $b: String!, $v: CommentVisibility!) { addTicketComment(ticketId: $id, input: { body: $b, visibility: $v }) { id deliveryStatus } }`,
    { id, b: body, v: visibility },
    { token: owner.token },
  );
const sent = () => s.server.jobs.drained(['mail-send']);

describe('inbound mail', () => {
  it('opens a ticket per new message (never for older mail, never twice), with Cc participants and attachments', async () => {
    const d = await desk('IN');
    const boundary = 'XX';
    await append(imap, d.address, {
      from: 'Pat <pat@customer.example>',
      subject: 'Printer on fire',
      text: '',
      messageId: '<first@customer.example>',
      raw: [
        'From: Pat <pat@customer.example>',
        `To: ${d.address}`,
        'Cc: Boss <boss@customer.example>',
        'Subject: Printer on fire',
        'Message-ID: <first@customer.example>',
        `Date: ${new Date().toUTCString()}`,
        'MIME-Version: 1.0',
        `Content-Type: multipart/mixed; boundary="${boundary}"`,
        '',
        `--${boundary}`,
        'Content-Type: text/plain',
        '',
        'It smokes.',
        `--${boundary}`,
        'Content-Type: image/png; name="smoke.png"',
        'Content-Disposition: attachment; filename="smoke.png"',
        'Content-Transfer-Encoding: base64',
        '',
        'iVBORw0KGgo=',
        `--${boundary}--`,
        '',
      ].join('\r\n'),
    });
    await d.sync();
    await d.sync();
    const tickets = await ticketsOf(s, owner, d.board.id);
    expect(tickets).toHaveLength(1);
    expect(tickets[0]).toMatchObject({
      identifier: 'IN-1',
      title: 'Printer on fire',
      description: 'It smokes.',
      channel: 'EMAIL',
      requester: { email: 'pat@customer.example', name: 'Pat' },
      participants: [{ email: 'boss@customer.example' }],
      attachments: [{ filename: 'smoke.png' }],
    });
    const inbox = await s.ok(
      `query I($id: ID!) { ticketInbox(id: $id) { ticketsCreated commentsCreated lastIngestedAt mailAccount { id } connectedBy { id } } }`,
      { id: d.inbox.id },
      { token: owner.token },
    );
    expect(inbox.ticketInbox).toMatchObject({
      ticketsCreated: 1,
      commentsCreated: 0,
      mailAccount: { id: d.account.id },
      connectedBy: { id: owner.userId },
    });
    // A re-sync from scratch (a new UIDVALIDITY drops the stored mail) takes in nothing twice.
    await s.server.app.db.execute(sql`update mail_folders set uid_validity = 1 where account_id = ${d.account.id}`);
    await d.sync();
    expect(await ticketsOf(s, owner, d.board.id)).toHaveLength(1);
  });

  it('mails PUBLIC member comments threaded to the requester and participants; INTERNAL ones never', async () => {
    const d = await desk('OUT');
    await append(imap, d.address, {
      from: 'pat@customer.example',
      cc: 'boss@customer.example',
      subject: 'Need help',
      text: 'Hello',
      messageId: '<need@customer.example>',
    });
    await d.sync();
    const [ticket] = await ticketsOf(s, owner, d.board.id);
    await comment(ticket.id, 'Only for us', 'INTERNAL');
    const c = (await comment(ticket.id, 'We are looking into it.')).addTicketComment;
    expect(c.deliveryStatus).toBe('QUEUED');
    await sent();
    const [mail] = await delivered(d.smtp, 1);
    expect(d.smtp.received).toHaveLength(1);
    expect(mail!.to.sort()).toEqual(['boss@customer.example', 'pat@customer.example']);
    expect(header(mail!.raw, 'Subject')).toBe('Re: Need help [OUT-1]');
    expect(header(mail!.raw, 'In-Reply-To')).toBe('<need@customer.example>');
    expect(header(mail!.raw, 'References')).toBe('<need@customer.example>');
    expect(header(mail!.raw, 'Cc')).toBe('boss@customer.example');
    expect(mail!.raw).toContain('We are looking into it.');
    expect(mail!.raw).not.toContain('Only for us');
    const after = await ticketsOf(s, owner, d.board.id);
    expect(after[0].comments.edges.map((e: any) => [e.node.body, e.node.deliveryStatus])).toEqual([
      ['Only for us', null],
      ['We are looking into it.', 'SENT'],
    ]);
    // Orbit's own message, synced back (here: delivered to the inbox too), is not taken in.
    await append(imap, d.address, {
      from: d.address,
      subject: 'Re: Need help [OUT-1]',
      text: 'We are looking into it.',
      messageId: header(mail!.raw, 'Message-ID')!,
    });
    await d.sync();
    expect((await ticketsOf(s, owner, d.board.id))[0].comments.edges).toHaveLength(2);
  });

  it('matches replies by headers, then [KEY-n] from known senders only; strangers open related tickets', async () => {
    const d = await desk('MAT');
    await append(imap, d.address, {
      from: 'pat@customer.example',
      subject: 'Broken login',
      text: 'Cannot log in',
      messageId: '<login@customer.example>',
    });
    await d.sync();
    const [ticket] = await ticketsOf(s, owner, d.board.id);
    await s.ok(
      `mutation A($id: ID!, $a: ID) { assignTicket(id: $id, assigneeId: $a) { id } }`,
      { id: ticket.id, a: owner.userId },
      { token: owner.token },
    );
    await comment(ticket.id, 'Try resetting your password.');
    await sent();
    const ours = header((await delivered(d.smtp, 1))[0]!.raw, 'Message-ID')!;
    // The requester replies to our mail: quoted history is cut.
    await append(imap, d.address, {
      from: 'pat@customer.example',
      subject: 'Re: Broken login [MAT-1]',
      text: 'That worked, thanks!\n\nOn Tue, Dec 1, 2026 at 10:00 AM Support wrote:\n> Try resetting your password.',
      inReplyTo: ours,
      references: `<login@customer.example> ${ours}`,
    });
    // A stranger answers on the same thread: a new ticket, related.
    await append(imap, d.address, {
      from: 'mallory@evil.example',
      subject: 'Re: Broken login [MAT-1]',
      text: 'Me too',
      inReplyTo: ours,
    });
    // The key in the subject: from the requester it joins; from a stranger it is only a new ticket.
    await append(imap, d.address, {
      from: 'pat@customer.example',
      subject: 'About [MAT-1] again',
      text: 'One more thing',
    });
    await append(imap, d.address, { from: 'eve@evil.example', subject: 'About [MAT-1]', text: 'Guessing numbers' });
    await d.sync();
    const all = await ticketsOf(s, owner, d.board.id);
    expect(all.map((t) => [t.title, t.requester.email, t.relatedTo?.id ?? null])).toEqual([
      ['Broken login', 'pat@customer.example', null],
      ['Broken login [MAT-1]', 'mallory@evil.example', ticket.id],
      ['About [MAT-1]', 'eve@evil.example', null],
    ]);
    const bodies = all[0].comments.edges.map((e: any) => [e.node.body, e.node.requester?.email ?? null]);
    expect(bodies).toEqual([
      ['Try resetting your password.', null],
      ['That worked, thanks!', 'pat@customer.example'],
      ['One more thing', 'pat@customer.example'],
    ]);
    // The assignee hears of each requester reply.
    const replied = (
      await s.ok(`{ notifications(first: 50) { edges { node { kind entityId } } } }`, {}, { token: owner.token })
    ).notifications.edges.filter((e: any) => e.node.kind === 'TICKET_REPLIED' && e.node.entityId === ticket.id);
    expect(replied).toHaveLength(2);
  });

  it('reopens a closed ticket (REOPEN), or opens a related one (NEW_TICKET); a duplicate’s reply goes to its original', async () => {
    const d = await desk('CLO');
    await append(imap, d.address, {
      from: 'pat@customer.example',
      subject: 'One',
      text: 'first',
      messageId: '<one@customer.example>',
    });
    await append(imap, d.address, {
      from: 'pat@customer.example',
      subject: 'Two',
      text: 'second',
      messageId: '<two@customer.example>',
    });
    await d.sync();
    const [one, two] = await ticketsOf(s, owner, d.board.id);
    const done = d.board.states.find((x) => x.category === 'COMPLETED')!.id;
    await s.ok(
      `mutation M($id: ID!, $st: ID!) { moveTicket(id: $id, input: { stateId: $st }) { id } }`,
      { id: one.id, st: done },
      { token: owner.token },
    );
    await s.ok(
      `mutation D($id: ID!, $o: ID!) { markTicketDuplicate(id: $id, duplicateOfId: $o) { id } }`,
      { id: two.id, o: one.id },
      { token: owner.token },
    );
    await append(imap, d.address, {
      from: 'pat@customer.example',
      subject: 'Re: One',
      text: 'It is back',
      inReplyTo: '<one@customer.example>',
    });
    await append(imap, d.address, {
      from: 'pat@customer.example',
      subject: 'Re: Two',
      text: 'Same here',
      inReplyTo: '<two@customer.example>',
    });
    await d.sync();
    let all = await ticketsOf(s, owner, d.board.id);
    expect(all).toHaveLength(2);
    expect(all[0].state.category).toBe('BACKLOG');
    expect(all[0].comments.edges.map((e: any) => e.node.body)).toEqual(['It is back', 'Same here']);
    // Under NEW_TICKET a reply to a closed ticket opens a new one beside it.
    await s.ok(
      `mutation U($id: ID!) { updateTicketInbox(id: $id, input: { closedReplyPolicy: NEW_TICKET }) { closedReplyPolicy } }`,
      { id: d.inbox.id },
      { token: owner.token },
    );
    await s.ok(
      `mutation M($id: ID!, $st: ID!) { moveTicket(id: $id, input: { stateId: $st }) { id } }`,
      { id: one.id, st: done },
      { token: owner.token },
    );
    await append(imap, d.address, {
      from: 'pat@customer.example',
      subject: 'Re: One',
      text: 'Again!',
      inReplyTo: '<one@customer.example>',
    });
    await d.sync();
    all = await ticketsOf(s, owner, d.board.id);
    expect(all).toHaveLength(3);
    expect(all[2]).toMatchObject({ title: 'One', relatedTo: { id: one.id }, description: 'Again!' });
    expect(all[0].state.category).toBe('COMPLETED');
  });

  it('marks a bounced comment FAILED instead of opening a ticket', async () => {
    const d = await desk('BNC');
    await append(imap, d.address, {
      from: 'gone@customer.example',
      subject: 'Hi',
      text: 'hello',
      messageId: '<hi@customer.example>',
    });
    await d.sync();
    const [ticket] = await ticketsOf(s, owner, d.board.id);
    await comment(ticket.id, 'Hello back');
    await sent();
    const ours = header((await delivered(d.smtp, 1))[0]!.raw, 'Message-ID')!;
    const dsn = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.customer.example>',
      `To: ${d.address}`,
      'Subject: Undelivered Mail Returned to Sender',
      'Auto-Submitted: auto-replied',
      `Date: ${new Date().toUTCString()}`,
      'Message-ID: <bounce-1@mx.customer.example>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
      '',
      '--B',
      'Content-Type: text/plain',
      '',
      'Your message could not be delivered.',
      '--B',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.customer.example',
      '',
      'Final-Recipient: rfc822; gone@customer.example',
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 User unknown',
      '--B',
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: ${ours}`,
      'Subject: Re: Hi [BNC-1]',
      '--B--',
      '',
    ].join('\r\n');
    await append(imap, d.address, { from: '', subject: '', text: '', raw: dsn });
    await d.sync();
    const all = await ticketsOf(s, owner, d.board.id);
    expect(all).toHaveLength(1);
    expect(all[0].comments.edges[0].node).toMatchObject({
      deliveryStatus: 'FAILED',
      deliveryError: expect.stringMatching(/5\.1\.1.*User unknown/),
    });
  });
});

describe('auto-replies and limits', () => {
  it('auto-replies once per new ticket, never to automated mail, at most once per address per 10 minutes', async () => {
    const d = await desk('AR', { autoReplyEnabled: true, autoReplyText: 'Thanks, we got it.' });
    await append(imap, d.address, { from: 'pat@customer.example', subject: 'First', text: 'a' });
    await append(imap, d.address, { from: 'pat@customer.example', subject: 'Second', text: 'b' });
    await append(imap, d.address, {
      from: 'ooo@customer.example',
      subject: 'Out of office',
      text: 'away',
      headers: ['Auto-Submitted: auto-replied'],
    });
    await append(imap, d.address, {
      from: 'news@customer.example',
      subject: 'Newsletter',
      text: 'news',
      headers: ['Precedence: bulk'],
    });
    await append(imap, d.address, { from: 'noreply@customer.example', subject: 'Receipt', text: 'r' });
    await d.sync();
    expect(await ticketsOf(s, owner, d.board.id)).toHaveLength(5);
    await sent();
    await delivered(d.smtp, 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(d.smtp.received).toHaveLength(1);
    const [reply] = d.smtp.received;
    expect(reply!.to).toEqual(['pat@customer.example']);
    expect(header(reply!.raw, 'Auto-Submitted')).toBe('auto-replied');
    expect(header(reply!.raw, 'Subject')).toBe('[AR-1] First');
    expect(reply!.raw).toContain('Thanks, we got it.');
  });

  it('lets a sender open 10 tickets an hour per inbox (the run is PARTIAL past that), and honours acceptFrom', async () => {
    const d = await desk('LIM');
    for (let i = 0; i < 12; i++)
      await append(imap, d.address, { from: 'flood@customer.example', subject: `Flood ${i}`, text: 'x' });
    await d.sync();
    expect(await ticketsOf(s, owner, d.board.id)).toHaveLength(10);
    const logs = (
      await s.ok(
        `{ integrationLogs(integration: "imap", first: 1) { edges { node { status message } } } }`,
        {},
        { token: owner.token },
      )
    ).integrationLogs.edges;
    expect(logs[0].node).toMatchObject({
      status: 'PARTIAL',
      message: expect.stringContaining('flood@customer.example opened 10 tickets'),
    });
    await s.ok(
      `mutation U($id: ID!) { updateTicketInbox(id: $id, input: { acceptFrom: ALLOWED_DOMAINS, allowedDomains: ["partner.example"] }) { acceptFrom } }`,
      { id: d.inbox.id },
      { token: owner.token },
    );
    await append(imap, d.address, { from: 'a@partner.example', subject: 'Partner', text: 'ok' });
    await append(imap, d.address, { from: 'b@other.example', subject: 'Other', text: 'no' });
    await d.sync();
    const titles = (await ticketsOf(s, owner, d.board.id)).map((t) => t.title);
    expect(titles).toContain('Partner');
    expect(titles).not.toContain('Other');
  });

  it('in PLUS_ADDRESS mode sets Reply-To to the ticket’s plus address and matches mail sent to it', async () => {
    const d = await desk('PLS', { replyAddressMode: 'PLUS_ADDRESS' });
    await append(imap, d.address, {
      from: 'pat@customer.example',
      subject: 'Plus',
      text: 'hi',
      messageId: '<plus@customer.example>',
    });
    await d.sync();
    const [ticket] = await ticketsOf(s, owner, d.board.id);
    await comment(ticket.id, 'Answer');
    await sent();
    const replyTo = header((await delivered(d.smtp, 1))[0]!.raw, 'Reply-To')!;
    expect(replyTo).toMatch(new RegExp(`^${d.address.split('@')[0]}\\+t-[0-9a-f]{16}@`));
    // No threading headers at all: only the address ties it to the ticket.
    await append(imap, d.address, {
      from: 'pat@customer.example',
      to: replyTo,
      subject: 'new subject',
      text: 'by address',
    });
    await d.sync();
    const all = await ticketsOf(s, owner, d.board.id);
    expect(all).toHaveLength(1);
    expect(all[0].comments.edges.at(-1).node.body).toBe('by address');
  });

  it('stops sending past the inbox’s hourly limit: the comment says FAILED', async () => {
    const d = await desk('SL');
    await append(imap, d.address, { from: 'pat@customer.example', subject: 'Limit', text: 'hi' });
    await d.sync();
    const [ticket] = await ticketsOf(s, owner, d.board.id);
    await s.server.app.db.execute(
      sql`insert into rate_limits (key, count, reset_at) values (${`inbox-send:${d.inbox.id}`}, ${s.server.app.config.TICKET_INBOX_SEND_LIMIT}, now() + interval '1 hour')`,
    );
    expect((await comment(ticket.id, 'Over the limit')).addTicketComment.deliveryStatus).toBe('FAILED');
    const [c] = (await ticketsOf(s, owner, d.board.id))[0].comments.edges;
    expect(c.node.deliveryError).toMatch(/hourly sending limit/);
  });
});

describe('inbox settings', () => {
  it('takes only the viewer’s own account with SMTP, by the board owner; tells the connector when ingesting stops', async () => {
    const d = await desk('SET');
    const other = await s.register();
    const again = await s.fail(
      `mutation C($i: ConnectTicketInboxInput!) { connectTicketInbox(input: $i) { id } }`,
      { i: { boardId: d.board.id, mailAccountId: d.account.id } },
      { token: owner.token },
    );
    expect(code(again)).toBe('CONFLICT');
    const theirBoard = (
      await s.ok(`mutation { createBoard(input: { name: "x", key: "OTH" }) { id } }`, {}, { token: other.token })
    ).createBoard.id;
    const foreign = await s.fail(
      `mutation C($i: ConnectTicketInboxInput!) { connectTicketInbox(input: $i) { id } }`,
      { i: { boardId: theirBoard, mailAccountId: d.account.id } },
      { token: other.token },
    );
    expect(code(foreign)).toBe('NOT_FOUND');
    // The sync fails (the server moved): the connector is told once, and the inbox shows why.
    await s.server.app.db.execute(sql`update mail_accounts set imap_port = 1 where id = ${d.account.id}`);
    await d.sync();
    await d.sync();
    const inbox = await s.ok(
      `query I($id: ID!) { ticketInbox(id: $id) { lastError } }`,
      { id: d.inbox.id },
      { token: owner.token },
    );
    expect(inbox.ticketInbox.lastError).toMatch(/Sync failed/);
    const notes = (
      await s.ok(`{ notifications(first: 50) { edges { node { kind entityId } } } }`, {}, { token: owner.token })
    ).notifications.edges.filter((e: any) => e.node.kind === 'TICKET_INBOX_FAILED');
    expect(notes.map((e: any) => e.node.entityId)).toEqual([d.inbox.id]);
    expect(
      (
        await s.ok(
          `mutation D($id: ID!) { disconnectTicketInbox(id: $id) }`,
          { id: d.inbox.id },
          { token: owner.token },
        )
      ).disconnectTicketInbox,
    ).toBe(d.inbox.id);
  });
});
