import type { Account } from '../helpers/client.js';
import { type Dovecot, rawMail } from '../helpers/dovecot.js';
import type { TestServer } from '../helpers/server.js';
import { startSmtpPeer } from '../helpers/smtp-peer.js';
import { waitFor } from '../helpers/ws.js';
import { CONNECT, input, mailbox, settled, sync } from '../mail/mail-helpers.js';
import { createBoard } from './helpers.js';

export type Peer = Awaited<ReturnType<typeof startSmtpPeer>>;

/** A board fed by its own mailbox (Dovecot) with its own SMTP peer: the support address of one team. */
export async function supportDesk(
  s: TestServer,
  imap: Dovecot,
  owner: Account,
  key: string,
  inbox: Record<string, unknown> = {},
  board: Record<string, unknown> = {},
) {
  const address = mailbox(imap, 'desk-pass');
  const smtp = await startSmtpPeer({ user: address, pass: 'desk-pass' });
  // Mail already there before the inbox is connected: never a ticket.
  await append(imap, address, { from: 'early@customer.example', subject: 'Before we started', text: 'old' });
  const account = (await s.ok(CONNECT, { i: input(imap, address, 'desk-pass', smtp) }, { token: owner.token }))
    .connectMailAccount;
  await settled(s, owner, account.id);
  const b = await createBoard(s, owner, key, board);
  const connected = (
    await s.ok(
      `mutation C($i: ConnectTicketInboxInput!) { connectTicketInbox(input: $i) { id address ingestSince } }`,
      { i: { boardId: b.id, mailAccountId: account.id, ...inbox } },
      { token: owner.token },
    )
  ).connectTicketInbox;
  return { address, smtp, account, board: b, inbox: connected, sync: () => sync(s, owner, account.id) };
}

export async function append(
  imap: Dovecot,
  address: string,
  m: {
    from: string;
    subject: string;
    text: string;
    messageId?: string;
    inReplyTo?: string;
    references?: string;
    cc?: string;
    to?: string;
    headers?: string[];
    raw?: string;
  },
) {
  const box = await imap.client(address);
  const headers = [...(m.cc ? [`Cc: ${m.cc}`] : []), ...(m.headers ?? [])];
  const raw =
    m.raw ??
    rawMail({
      from: m.from,
      to: m.to ?? address,
      subject: m.subject,
      text: m.text,
      messageId: m.messageId,
      inReplyTo: m.inReplyTo,
      references: m.references,
      extraHeaders: `${headers.map((h) => `${h}\r\n`).join('')}Content-Type: text/plain; charset=utf-8\r\n\r\n`,
      body: `${m.text}\r\n`,
    });
  await box.append('INBOX', raw);
  await box.logout();
}

export const TICKETS = `query T($b: ID!) { board(id: $b) { tickets(first: 15, orderBy: { field: CREATED_AT, direction: ASC }) { totalCount edges { node {
  id number identifier title description channel triageStatus requester { email name } participants { email } relatedTo { id } state { category }
  attachments { filename } comments(first: 5) { edges { node { id body visibility channel requester { email } author { id } deliveryStatus deliveryError attachments { filename } } } } } } } } }`;

export async function ticketsOf(s: TestServer, who: Account, boardId: string): Promise<any[]> {
  return (await s.ok(TICKETS, { b: boardId }, { token: who.token })).board.tickets.edges.map((e: any) => e.node);
}

/** Waits for the SMTP peer to have `n` messages. */
export async function delivered(peer: Peer, n: number) {
  await waitFor(async () => peer.received.length >= n, `${n} message(s) at the SMTP peer`, 20_000);
  return peer.received;
}

export const header = (raw: string, name: string) =>
  new RegExp(`^${name}: ?(.*)$`, 'im').exec(raw)?.[1]?.trim() ?? null;
