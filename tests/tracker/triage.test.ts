import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execRows } from '../../src/db/client.js';
import type { Account } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { closeAll } from '../helpers/teardown.js';
import { addMember, code, createBoard, createTicket, TICKET_FIELDS } from './helpers.js';

let s: TestServer;
let owner: Account;
let ed1: Account;
let ed2: Account;
beforeAll(async () => {
  s = await startServer({ SNOOZE_WAKE_MS: '200' });
  [owner, ed1, ed2] = await Promise.all([
    s.register({ name: 'Olga' }),
    s.register({ name: 'Ed One' }),
    s.register({ name: 'Ed Two' }),
  ]);
});
afterAll(() => closeAll(s));

const accept = (who: Account, id: string, input?: Record<string, unknown>) =>
  s.gql(
    `mutation A($id: ID!, $i: AcceptTicketInput) { acceptTicket(id: $id, input: $i) { ${TICKET_FIELDS} } }`,
    { id, i: input },
    { token: who.token },
  );
const decline = (who: Account, id: string, reason?: string, notify?: boolean) =>
  s.gql(
    `mutation D($id: ID!, $r: String, $n: Boolean) { declineTicket(id: $id, reason: $r, notifyRequester: $n) { ${TICKET_FIELDS} } }`,
    { id, r: reason, n: notify },
    { token: who.token },
  );
const notificationsOf = async (who: Account, kind: string) =>
  (
    await s.ok(`{ notifications(first: 50) { edges { node { kind entityId title } } } }`, {}, { token: who.token })
  ).notifications.edges
    .map((e: any) => e.node)
    .filter((n: any) => n.kind === kind);

async function triageBoard(key: string, extra: Record<string, unknown> = {}) {
  const board = await createBoard(s, owner, key, { triageEnabled: true });
  await addMember(s, owner, board.id, ed1, 'EDITOR');
  await addMember(s, owner, board.id, ed2, 'EDITOR');
  if (Object.keys(extra).length)
    await s.ok(
      `mutation U($id: ID!, $i: UpdateBoardInput!) { updateBoard(id: $id, input: $i) { id } }`,
      { id: board.id, i: extra },
      { token: owner.token },
    );
  return board;
}
const waiting = (who: Account, boardId: string) =>
  createTicket(s, who, boardId, { toStandby: true, requesterEmail: 'req@example.com' });

describe('the standby queue', () => {
  it('holds PENDING tickets without a state, tells the triagers, and accepts into the default state at the bottom', async () => {
    const board = await triageBoard('TRI');
    const onBoard = await createTicket(s, owner, board.id, { title: 'already there' });
    const t = await waiting(ed1, board.id);
    expect(t).toMatchObject({ triageStatus: 'PENDING', state: null, rank: '' });
    const queue = await s.ok(
      `query Q($b: ID, $id: ID!) { standbyQueue(boardId: $b, first: 10) { totalCount edges { node { id } } } board(id: $id) { standbyCount } }`,
      { b: board.id, id: board.id },
      { token: owner.token },
    );
    expect(queue.standbyQueue.edges.map((e: any) => e.node.id)).toEqual([t.id]);
    expect(queue.board.standbyCount).toBe(1);
    // Everyone who triages but the one who put it there hears of it.
    expect((await notificationsOf(owner, 'TICKET_RECEIVED')).map((n: any) => n.entityId)).toContain(t.id);
    expect((await notificationsOf(ed1, 'TICKET_RECEIVED')).map((n: any) => n.entityId)).not.toContain(t.id);
    const done = await accept(owner, t.id);
    expect(done.data.acceptTicket).toMatchObject({
      triageStatus: 'ACCEPTED',
      state: { id: board.defaultState.id },
      assignee: null,
    });
    expect(done.data.acceptTicket.rank > onBoard.rank).toBe(true);
    // Accepting twice is a no-op; a move of a waiting ticket is refused.
    expect((await accept(ed2, t.id)).errors).toBeUndefined();
    const w = await waiting(owner, board.id);
    const move = await s.gql(
      `mutation M($id: ID!, $st: ID!) { moveTicket(id: $id, input: { stateId: $st }) { id } }`,
      { id: w.id, st: board.states[1]!.id },
      { token: owner.token },
    );
    expect(code(move.errors![0]!)).toBe('BAD_USER_INPUT');
  });

  it('assigns round-robin to the least recently assigned, skipping members off the rota and suspended ones', async () => {
    const board = await triageBoard('RR', { autoAssign: 'ROUND_ROBIN' });
    await s.ok(
      `mutation A($b: ID!) { setBoardAvailability(boardId: $b, acceptsAssignments: false) { acceptsAssignments } }`,
      { b: board.id },
      { token: owner.token },
    );
    const got: string[] = [];
    for (let i = 0; i < 4; i++)
      got.push((await accept(owner, (await waiting(owner, board.id)).id)).data.acceptTicket.assignee.id);
    expect(got).toEqual([ed1.userId, ed2.userId, ed1.userId, ed2.userId]);
    expect((await notificationsOf(ed1, 'TICKET_ASSIGNED')).length).toBe(2);
    const rows = await execRows<{ n: number }>(
      s.server.app.db,
      sql`select count(*)::int as n from activities where board_id = ${board.id} and verb = 'ticket.assigned'`,
    );
    expect(rows[0]!.n).toBe(4);
    // A suspended member leaves the rota.
    await s.server.app.db.execute(sql`update users set suspended_at = now() where id = ${ed1.userId}`);
    try {
      const next = await accept(owner, (await waiting(owner, board.id)).id);
      expect(next.data.acceptTicket.assignee.id).toBe(ed2.userId);
    } finally {
      await s.server.app.db.execute(sql`update users set suspended_at = null where id = ${ed1.userId}`);
    }
  });

  it('assigns balanced to the fewest open tickets, and an empty rota leaves tickets unassigned', async () => {
    const board = await triageBoard('BAL', { autoAssign: 'BALANCED' });
    const todo = board.states[1]!;
    // ed1 holds two open tickets already; owner one; ed2 none.
    await createTicket(s, owner, board.id, { stateId: todo.id, assigneeId: ed1.userId });
    await createTicket(s, owner, board.id, { stateId: todo.id, assigneeId: ed1.userId });
    await createTicket(s, owner, board.id, { stateId: todo.id, assigneeId: owner.userId });
    const first = await accept(owner, (await waiting(owner, board.id)).id, { stateId: todo.id });
    expect(first.data.acceptTicket.assignee.id).toBe(ed2.userId);
    const second = await accept(owner, (await waiting(owner, board.id)).id, { stateId: todo.id });
    // ed2 and owner have one each now: the tie goes to the least recently assigned (owner).
    expect(second.data.acceptTicket.assignee.id).toBe(owner.userId);
    const members = await s.ok(
      `query B($b: ID!) { board(id: $b) { members { user { id } openAssignedCount } } }`,
      { b: board.id },
      { token: owner.token },
    );
    expect(Object.fromEntries(members.board.members.map((m: any) => [m.user.id, m.openAssignedCount]))).toEqual({
      [owner.userId]: 2,
      [ed1.userId]: 2,
      [ed2.userId]: 1,
    });
    for (const who of [owner, ed1, ed2])
      await s.ok(
        `mutation A($b: ID!) { setBoardAvailability(boardId: $b, acceptsAssignments: false) { acceptsAssignments } }`,
        { b: board.id },
        { token: who.token },
      );
    expect((await accept(owner, (await waiting(owner, board.id)).id)).data.acceptTicket.assignee).toBeNull();
  });

  it('declines into a CANCELED state, keeping the reason; a DECLINED ticket cannot be accepted', async () => {
    const board = await triageBoard('DEC');
    const t = await waiting(owner, board.id);
    const res = await decline(ed1, t.id, 'Out of scope', false);
    expect(res.data.declineTicket).toMatchObject({
      triageStatus: 'DECLINED',
      state: { category: 'CANCELED' },
      commentCount: 1,
    });
    expect(res.data.declineTicket.canceledAt).not.toBeNull();
    // Accepting it right after is a race lost to the other triager (CONFLICT); later, a mistake (BAD_USER_INPUT).
    expect(code((await accept(owner, t.id)).errors![0]!)).toBe('CONFLICT');
    await s.server.app.db.execute(sql`update tickets set canceled_at = now() - interval '1 minute' where id = ${t.id}`);
    expect(code((await accept(owner, t.id)).errors![0]!)).toBe('BAD_USER_INPUT');
    expect((await decline(ed2, t.id)).errors).toBeUndefined();
  });

  it('makes concurrent triage safe: the same action twice is a no-op, a different one is CONFLICT', async () => {
    const board = await triageBoard('RACE');
    for (let round = 0; round < 5; round++) {
      const t = await waiting(owner, board.id);
      const [a, b] = await Promise.all([accept(ed1, t.id), decline(ed2, t.id, 'no')]);
      const codes = [a, b].map((r) => (r.errors ? code(r.errors[0]!) : 'OK')).sort();
      expect(codes).toEqual(['CONFLICT', 'OK']);
      const same = await Promise.all([accept(ed1, (await waiting(owner, board.id)).id)]);
      expect(same[0].errors).toBeUndefined();
    }
    const t = await waiting(owner, board.id);
    const both = await Promise.all([accept(ed1, t.id), accept(ed2, t.id)]);
    expect(both.map((r) => r.errors)).toEqual([undefined, undefined]);
    expect(both[0].data.acceptTicket.rank).toBe(both[1].data.acceptTicket.rank);
  });

  it('marks duplicates: the original gains the people, and itself, another board or a cycle is refused', async () => {
    const board = await triageBoard('DUP');
    const other = await createBoard(s, owner, 'DUPX');
    const original = await createTicket(s, owner, board.id, { title: 'original', requesterEmail: 'first@example.com' });
    const foreign = await createTicket(s, owner, other.id);
    const dup = await createTicket(s, owner, board.id, { toStandby: true, requesterEmail: 'second@example.com' });
    await s.ok(
      `mutation P($id: ID!) { addTicketParticipant(ticketId: $id, email: "cc@example.com") { id } }`,
      { id: dup.id },
      { token: owner.token },
    );
    const mark = (id: string, of: string) =>
      s.gql(
        `mutation M($id: ID!, $o: ID!) { markTicketDuplicate(id: $id, duplicateOfId: $o) { ${TICKET_FIELDS} } }`,
        { id, o: of },
        { token: ed1.token },
      );
    for (const target of [dup.id, foreign.id]) {
      const r = await mark(dup.id, target);
      expect([code(r.errors![0]!), r.errors![0]!.extensions?.fields]).toEqual([
        'BAD_USER_INPUT',
        { duplicateOfId: expect.any(String) },
      ]);
    }
    const done = await mark(dup.id, original.id);
    expect(done.data.markTicketDuplicate).toMatchObject({
      triageStatus: 'DUPLICATE',
      duplicateOf: { id: original.id },
      state: { category: 'CANCELED' },
    });
    const orig = await s.ok(
      `query T($id: ID!) { ticket(id: $id) { participants { email } } }`,
      { id: original.id },
      { token: owner.token },
    );
    expect(orig.ticket.participants.map((p: any) => p.email).sort()).toEqual(['cc@example.com', 'second@example.com']);
    const cycle = await mark(original.id, dup.id);
    expect(cycle.errors![0]!.extensions?.fields).toEqual({ duplicateOfId: expect.any(String) });
  });

  it('snoozes within a year, and wakes the ticket back to PENDING when the time comes', async () => {
    const board = await triageBoard('SNZ');
    const t = await waiting(owner, board.id);
    const snooze = (until: string) =>
      s.gql(
        `mutation S($id: ID!, $u: DateTime!) { snoozeTicket(id: $id, until: $u) { triageStatus snoozedUntil } }`,
        { id: t.id, u: until },
        { token: ed1.token },
      );
    for (const bad of [new Date(Date.now() - 1000), new Date(Date.now() + 400 * 86_400_000)])
      expect((await snooze(bad.toISOString())).errors![0]!.extensions?.fields).toEqual({ until: expect.any(String) });
    expect((await snooze(new Date(Date.now() + 600).toISOString())).data.snoozeTicket.triageStatus).toBe('SNOOZED');
    const q = `query Q($b: ID!) { standbyQueue(boardId: $b, includeSnoozed: false, first: 5) { totalCount } }`;
    expect((await s.ok(q, { b: board.id }, { token: owner.token })).standbyQueue.totalCount).toBe(0);
    const withSnoozed = await s.ok(
      `query Q($b: ID!) { standbyQueue(boardId: $b, includeSnoozed: true, first: 5) { totalCount } }`,
      { b: board.id },
      { token: owner.token },
    );
    expect(withSnoozed.standbyQueue.totalCount).toBe(1);
    let status = 'SNOOZED';
    for (let i = 0; i < 40 && status !== 'PENDING'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = (
        await s.ok(`query T($id: ID!) { ticket(id: $id) { triageStatus } }`, { id: t.id }, { token: owner.token })
      ).ticket.triageStatus;
    }
    expect(status).toBe('PENDING');
  });
});

describe('claimNextTicket', () => {
  it('gives the oldest accepted unassigned ticket of BACKLOG or UNSTARTED states, null when none is left', async () => {
    const board = await triageBoard('CLM');
    const started = await createTicket(s, owner, board.id, { stateId: board.states[2]!.id });
    const old = await createTicket(s, owner, board.id, { title: 'old' });
    await createTicket(s, owner, board.id, { title: 'new', stateId: board.states[1]!.id });
    await waiting(owner, board.id);
    const claim = (who: Account) =>
      s.ok(
        `mutation C($b: ID!) { claimNextTicket(boardId: $b) { id title assignee { id } } }`,
        { b: board.id },
        { token: who.token },
      );
    expect((await claim(ed1)).claimNextTicket).toEqual({ id: old.id, title: 'old', assignee: { id: ed1.userId } });
    expect((await claim(ed1)).claimNextTicket.title).toBe('new');
    expect((await claim(ed1)).claimNextTicket).toBeNull();
    expect(started.id).toBeTruthy();
  });

  it('never gives one ticket to two claimers: 10 claimers drain a queue of 40', async () => {
    const board = await triageBoard('DRN');
    const claimers = [owner, ed1, ed2];
    await Promise.all(Array.from({ length: 40 }, (_, i) => createTicket(s, owner, board.id, { title: `q${i}` })));
    const claimed: string[] = [];
    await Promise.all(
      Array.from({ length: 10 }, async (_, w) => {
        for (;;) {
          const r = await s.ok(
            `mutation C($b: ID!) { claimNextTicket(boardId: $b) { id } }`,
            { b: board.id },
            { token: claimers[w % 3]!.token },
          );
          if (!r.claimNextTicket) return;
          claimed.push(r.claimNextTicket.id);
        }
      }),
    );
    expect(claimed).toHaveLength(40);
    expect(new Set(claimed).size).toBe(40);
  });
});
