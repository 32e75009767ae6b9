import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execRows } from '../../src/db/client.js';
import type { Account } from '../helpers/client.js';
import { startFakeLlm } from '../helpers/fake-llm.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { mcpRpc } from '../assistant/agent-helpers.js';
import { createList, createTask, share } from '../tasks/helpers.js';
import { type Dovecot, rawMail, startDovecot } from '../helpers/dovecot.js';
import { CONNECT, input, mailbox, settled, threads } from '../mail/mail-helpers.js';
import { closeAll } from '../helpers/teardown.js';
import { waitFor } from '../helpers/ws.js';
import { startSmtpPeer } from '../helpers/smtp-peer.js';
import { addMember, createBoard, createTicket as createTicket2 } from '../tracker/helpers.js';

let s: TestServer;
let llm: Awaited<ReturnType<typeof startFakeLlm>>;
let imap: Dovecot;
let smtp: Awaited<ReturnType<typeof startSmtpPeer>> | undefined;
beforeAll(async () => {
  // With a model, so that sendMessage leaves a model-call row as well; with an IMAP server for mail rows.
  llm = await startFakeLlm();
  imap = await startDovecot();
  s = await startServer({ LLM_BASE_URL: llm.url, LLM_MODEL: 'fake-1', JOBS_POLL_MS: '500' });
});
afterAll(async () => {
  await closeAll(s);
  await closeAll(llm);
  await closeAll(imap);
  await closeAll(smtp);
});

/** Every column that references users, found in the catalog, so a table added later is audited too. */
async function userReferences(): Promise<Array<{ table: string; column: string }>> {
  return execRows(
    s.server.app.db,
    sql`select c.conrelid::regclass::text as "table", a.attname as "column"
        from pg_constraint c join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any(c.conkey)
        where c.contype = 'f' and c.confrelid = 'users'::regclass order by 1, 2`,
  );
}

async function rowsReferencing(userId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const { table, column } of await userReferences()) {
    const [row] = await execRows<{ n: number }>(
      s.server.app.db,
      sql`select count(*)::int as n from ${sql.identifier(table)} where ${sql.identifier(column)} = ${userId}`,
    );
    out[`${table}.${column}`] = Number(row!.n);
  }
  return out;
}

const gql = (who: Account, query: string, variables: Record<string, unknown> = {}) =>
  s.ok(query, variables, { token: who.token });

/** A user with rows in every table that references users, and in other users' rows as assignee, creator, member, invitee and actor. */
async function busyUser(a: Account, b: Account) {
  const own = await createList(s, a, 'A list');
  const label = (await gql(a, `mutation { createLabel(input: { name: "urgent" }) { id } }`)).createLabel.id;
  await createTask(s, a, own, { title: 'own task', labelIds: [label] });
  await share(s, a, own, b.email, 'EDITOR');
  await share(s, a, own, 'nobody-yet@example.com', 'VIEWER');
  await createTask(s, b, own, { title: 'b in a list' });

  const theirs = await createList(s, b, 'B list');
  await share(s, b, theirs, a.email, 'EDITOR');
  const aInB = await createTask(s, a, theirs, { title: 'a wrote this in b list', assigneeId: b.userId });
  const bAssignsA = await createTask(s, b, theirs, { title: 'assigned to a', assigneeId: a.userId });

  // Projects: an area with a project, and A's task in B's list put in A's project.
  const area = (await gql(a, `mutation { createArea(name: "Life") { id } }`)).createArea.id;
  const project = (
    await gql(a, `mutation P($a: ID) { createProject(input: { name: "Move", areaId: $a }) { id } }`, { a: area })
  ).createProject.id;
  const sectionId = (
    await gql(a, `mutation S($p: ID!) { createProjectSection(projectId: $p, name: "Boxes") { id } }`, { p: project })
  ).createProjectSection.id;
  await gql(
    a,
    `mutation U($id: ID!, $p: ID, $s: ID) { updateTask(id: $id, input: { projectId: $p, sectionId: $s }) { id } }`,
    {
      id: aInB,
      p: project,
      s: sectionId,
    },
  );

  // A capture with a suggestion (the model triages it: a server with a model has a job for it).
  llm.script({ calls: [{ name: 'propose_task', args: { title: 'Call the bank' } }] });
  const captureId = (await gql(a, `mutation { createCapture(input: { text: "Call the bank" }) { id } }`)).createCapture
    .id;
  await waitFor(
    async () =>
      (await gql(a, `query Q($id: ID!) { capture(id: $id) { status } }`, { id: captureId })).capture.status ===
      'NEEDS_REVIEW',
    'the capture triaged',
  );
  // A staged upload with its bytes.
  const ics = 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n';
  const staged = (
    await gql(
      a,
      `mutation S($n: Int!) { stageUpload(input: { purpose: CALENDAR_IMPORT, contentType: "text/calendar", size: $n }) { url } }`,
      {
        n: ics.length,
      },
    )
  ).stageUpload;
  const put = await fetch(`${s.url}${new URL(staged.url).pathname}`, {
    method: 'PUT',
    body: ics,
    headers: { 'content-type': 'text/calendar' },
  });
  expect(put.status).toBe(200);

  const aEvent = (
    await gql(
      a,
      `mutation { createEvent(input: { title: "A party", startsAt: "2026-05-01T18:00:00Z", endsAt: "2026-05-01T20:00:00Z" }) { id } }`,
    )
  ).createEvent.id;
  await gql(a, `mutation I($e: ID!, $m: [String!]!) { inviteToEvent(eventId: $e, emails: $m) { id } }`, {
    e: aEvent,
    m: [b.email],
  });
  const bEvent = (
    await gql(
      b,
      `mutation { createEvent(input: { title: "B meeting", startsAt: "2026-05-02T09:00:00Z", endsAt: "2026-05-02T10:00:00Z" }) { id } }`,
    )
  ).createEvent.id;
  const [inv] = (
    await gql(b, `mutation I($e: ID!, $m: [String!]!) { inviteToEvent(eventId: $e, emails: $m) { id } }`, {
      e: bEvent,
      m: [a.email],
    })
  ).inviteToEvent;
  await gql(a, `mutation R($id: ID!) { respondToInvitation(invitationId: $id, status: ACCEPTED) { id } }`, {
    id: inv.id,
  });

  const tag = (await gql(a, `mutation { createTag(input: { name: "notes" }) { id } }`)).createTag.id;
  const doc = (
    await gql(
      a,
      `mutation D($t: [ID!]) { createDocument(input: { title: "Doc", content: "words", tagIds: $t }) { id } }`,
      { t: [tag] },
    )
  ).createDocument.id;
  const entry = (
    await gql(
      a,
      `mutation { upsertJournalEntry(input: { type: MORNING_PAGES, date: "2026-04-01", content: { text: "hello" } }) { id } }`,
    )
  ).upsertJournalEntry.id;
  await gql(a, `mutation R($i: RelateInput!) { relate(input: $i) { id } }`, {
    i: { fromType: 'DOCUMENT', fromId: doc, toType: 'JOURNAL_ENTRY', toId: entry, kind: 'related' },
  });
  const conv = (await gql(a, `mutation { createConversation(title: "chat") { id } }`)).createConversation.id;
  // The model calls a tool: an assistant action (and its TOOL message) for A.
  llm.script({ calls: [{ name: 'search_tasks', args: {} }] });
  await gql(a, `mutation M($c: ID!) { sendMessage(conversationId: $c, content: "hi") { userMessage { id } } }`, {
    c: conv,
  });
  await gql(
    a,
    `mutation R($c: ID) { recordUsage(input: { model: "m", promptTokens: 5, completionTokens: 5, conversationId: $c }) { tokensUsed } }`,
    { c: conv },
  );
  // Sent with an Idempotency-Key: its kept response is A's too.
  await s.ok(
    `mutation { createApiKey(input: { name: "k", scopes: [READ] }) { secret } }`,
    {},
    {
      token: a.token,
      headers: { 'idempotency-key': 'deletion-fixture' },
    },
  );
  await gql(a, `mutation { reserveUsage(estimatedTokens: 10) { id } }`);
  // Mail: an account synced with a message and its attachment, a draft, the sync's log row.
  const user = mailbox(imap);
  const box = await imap.client(user);
  const part = `Content-Type: multipart/mixed; boundary="XX"\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\nHi\r\n--XX\r\nContent-Type: text/plain; name="a.txt"\r\nContent-Disposition: attachment; filename="a.txt"\r\n\r\nfile\r\n--XX--\r\n`;
  await box.append(
    'INBOX',
    rawMail({ from: 'x@test.example', to: user, subject: 'With a file', text: '', body: part }),
  );
  await box.logout();
  // With SMTP (a peer that takes the mailbox's password): the account can feed a ticket inbox.
  smtp = await startSmtpPeer({ user, pass: 'secret-1' });
  const acc = (await gql(a, CONNECT, { i: input(imap, user, 'secret-1', smtp) })).connectMailAccount;
  await settled(s, a, acc.id);
  expect((await threads(s, a)).totalCount).toBe(1);
  await gql(a, `mutation S($i: DraftInput!) { saveDraft(input: $i) { id } }`, {
    i: { accountId: acc.id, to: ['y@test.example'], subject: 's', text: 't' },
  });
  // An MCP read of foreign content (email) opens a taint window for A's credential.
  const mcp = await mcpRpc(s, a.token, {
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name: 'search_email', arguments: { query: 'file' } },
  });
  expect(mcp.status).toBe(200);
  await s.ok(`mutation R($e: String!) { requestPasswordReset(email: $e) }`, { e: a.email });
  // The tracker: A's own board with a labelled ticket, and A's ticket and comment on B's board.
  const aBoard = await createBoard(s, a, 'ADEL');
  await gql(a, `mutation C($i: ConnectTicketInboxInput!) { connectTicketInbox(input: $i) { id } }`, {
    i: { boardId: aBoard.id, mailAccountId: acc.id },
  });
  const aLabel = (
    await gql(a, `mutation L($b: ID!) { createBoardLabel(boardId: $b, input: { name: "x" }) { id } }`, { b: aBoard.id })
  ).createBoardLabel.id;
  await createTicket2(s, a, aBoard.id, { labelIds: [aLabel], assigneeId: a.userId });
  const bBoard = await createBoard(s, b, 'BDEL');
  await addMember(s, b, bBoard.id, a, 'EDITOR');
  const aTicket = (await createTicket2(s, a, bBoard.id, { title: 'a wrote this on b board', assigneeId: a.userId })).id;
  await gql(
    a,
    `mutation C($id: ID!) { addTicketComment(ticketId: $id, input: { body: "by a", visibility: INTERNAL }) { id } }`,
    { id: aTicket },
  );
  return { own, theirs, aInB, bAssignsA, bEvent, bBoard: bBoard.id, aTicket };
}

describe('deleteAccount', () => {
  it("removes everything the user owns and keeps other users' data whole", async () => {
    const a = await s.register({ name: 'Ada' });
    const b = await s.register({ name: 'Bob' });
    const ids = await busyUser(a, b);

    const before = await rowsReferencing(a.userId);
    // The fixture really touches every reference to users, so the audit covers every table.
    for (const [ref, n] of Object.entries(before)) expect(n, ref).toBeGreaterThan(0);

    expect(
      (await gql(a, `mutation D($p: String!) { deleteAccount(password: $p) }`, { p: a.password })).deleteAccount,
    ).toBe(true);

    const after = await rowsReferencing(a.userId);
    for (const [ref, n] of Object.entries(after)) expect(n, ref).toBe(0);
    // A's own list and its tasks are gone, B's membership with it too.
    expect(
      (await s.fail(`query L($id: ID!) { taskList(id: $id) { id } }`, { id: ids.own }, { token: b.token })).extensions
        ?.code,
    ).toBe('NOT_FOUND');
    // B's list keeps every task: the one A wrote is credited to B, the one assigned to A is unassigned.
    const list = await gql(
      b,
      `query L($id: ID!) { taskList(id: $id) { members { user { id } } tasks(first: 10) { totalCount edges { node { id title createdBy { id } assignee { id } } } } } }`,
      { id: ids.theirs },
    );
    expect(list.taskList.members.map((m: any) => m.user.id)).toEqual([b.userId]);
    const byId = new Map(list.taskList.tasks.edges.map((e: any) => [e.node.id, e.node]));
    expect(list.taskList.tasks.totalCount).toBe(2);
    expect(byId.get(ids.aInB)).toMatchObject({ createdBy: { id: b.userId }, assignee: { id: b.userId } });
    expect(byId.get(ids.bAssignsA)).toMatchObject({ createdBy: { id: b.userId }, assignee: null });
    // B's event keeps the invitation of A's address, no longer linked to an account.
    const event = await gql(b, `query E($id: ID!) { event(id: $id) { title invitations { email invitee { id } } } }`, {
      id: ids.bEvent,
    });
    expect(event.event).toEqual({ title: 'B meeting', invitations: [{ email: a.email, invitee: null }] });
    // B's board keeps the ticket A opened there and A's comment, no longer linked to A.
    const onB = await gql(
      b,
      `query T($id: ID!) { ticket(id: $id) { createdBy { id } assignee { id } comments(first: 5) { edges { node { body author { id } } } } } }`,
      { id: ids.aTicket },
    );
    expect(onB.ticket).toEqual({
      createdBy: null,
      assignee: null,
      comments: { edges: [{ node: { body: 'by a', author: null } }] },
    });
    // B still signs in and sees their own things; A's login is gone.
    expect((await gql(b, `{ me { id } }`)).me.id).toBe(b.userId);
    const login = await s.fail(
      `mutation L($i: String!, $p: String!) { login(input: { identifier: $i, password: $p }) { accessToken } }`,
      { i: a.email, p: a.password },
    );
    expect(login.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('works for the smallest case: one task in one own list', async () => {
    const a = await s.register();
    const list = await createList(s, a);
    await createTask(s, a, list);
    expect(
      (await gql(a, `mutation D($p: String!) { deleteAccount(password: $p) }`, { p: a.password })).deleteAccount,
    ).toBe(true);
    expect(Object.values(await rowsReferencing(a.userId)).every((n) => n === 0)).toBe(true);
  });
});
