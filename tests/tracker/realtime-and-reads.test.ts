import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boardLabels, boardMembers, ticketComments, ticketLabels, tickets } from '../../src/db/schema/index.js';
import type { Account } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { closeAll } from '../helpers/teardown.js';
import { subscribed, wsClient } from '../helpers/ws.js';
import { addMember, createBoard, createTicket } from './helpers.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => closeAll(s));

const CHANGES = `subscription C($b: ID!) { boardChanged(boardId: $b) { kind boardId ticketId ticket { id title } comment { body } actor { id } } }`;

describe('boardChanged', () => {
  it('delivers ticket and comment changes to members on commit, and stops for a removed member', async () => {
    const owner = await s.register();
    const member = await s.register();
    const stranger = await s.register();
    const board = await createBoard(s, owner, 'RT');
    await addMember(s, owner, board.id, member, 'VIEWER');
    const denied = wsClient(s.url, { authorization: `Bearer ${stranger.token}` }).subscribe(CHANGES, { b: board.id });
    await denied.completed.catch(() => {});
    expect(JSON.stringify(denied.errors)).toContain('"code":"NOT_FOUND"');
    const ws = wsClient(s.url, { authorization: `Bearer ${member.token}` });
    const sub = ws.subscribe(CHANGES, { b: board.id });
    await subscribed(s, `board:${board.id}`);
    const t = await createTicket(s, owner, board.id, { title: 'live' });
    expect((await sub.nth(1)).boardChanged).toEqual({
      kind: 'TICKET_CREATED',
      boardId: board.id,
      ticketId: t.id,
      ticket: { id: t.id, title: 'live' },
      comment: null,
      actor: { id: owner.userId },
    });
    await s.ok(
      `mutation C($id: ID!) { addTicketComment(ticketId: $id, input: { body: "hi", visibility: INTERNAL }) { id } }`,
      { id: t.id },
      { token: owner.token },
    );
    expect((await sub.nth(2)).boardChanged).toMatchObject({ kind: 'COMMENT_ADDED', comment: { body: 'hi' } });
    // A removed member's subscription ends: the next event finds them off the board.
    await s.ok(
      `mutation R($b: ID!, $u: ID!) { removeBoardMember(boardId: $b, userId: $u) { id } }`,
      { b: board.id, u: member.userId },
      { token: owner.token },
    );
    await createTicket(s, owner, board.id, { title: 'after removal' });
    await sub.completed;
    expect(sub.values).toHaveLength(2);
    await ws.dispose();
  });
});

describe('N+1-free board reads', () => {
  async function seed(owner: Account, editor: Account, n: number) {
    const board = await createBoard(s, owner, `S${n}`);
    await addMember(s, owner, board.id, editor, 'EDITOR');
    const db = s.server.app.db;
    const labels = await db
      .insert(boardLabels)
      .values([0, 1, 2].map((i) => ({ boardId: board.id, name: `l${i}` })))
      .returning();
    const rows = await db
      .insert(tickets)
      .values(
        Array.from({ length: n }, (_, i) => ({
          boardId: board.id,
          number: i + 1,
          title: `t${i}`,
          stateId: board.states[i % 5]!.id,
          rank: `a${String(i).padStart(4, '0')}`,
          channel: 'APP' as const,
          assigneeId: i % 2 ? editor.userId : owner.userId,
          createdById: owner.userId,
        })),
      )
      .returning({ id: tickets.id });
    await db.insert(ticketLabels).values(rows.flatMap((r) => labels.map((l) => ({ ticketId: r.id, labelId: l.id }))));
    await db.insert(ticketComments).values(
      rows.map((r) => ({
        ticketId: r.id,
        body: 'c',
        visibility: 'PUBLIC' as const,
        channel: 'APP' as const,
        authorId: editor.userId,
      })),
    );
    expect((await db.select().from(boardMembers)).length).toBeGreaterThan(0);
    return board.id;
  }

  const BOARD = `query B($id: ID!) { board(id: $id) { id states { id name ticketCount } members { user { id } openAssignedCount }
    tickets(first: 50) { totalCount edges { node { id identifier state { id } assignee { id name } labels { id } commentCount createdBy { id } } } } } }`;

  it('reads a board with its states, 50 tickets, assignees, labels and comment counts in the same few statements as for 2', async () => {
    const owner = await s.register();
    const editor = await s.register();
    const small = await seed(owner, editor, 2);
    const large = await seed(owner, editor, 60);
    const measure = async (id: string) => {
      const { result, reports } = await s.reports(() => s.ok(BOARD, { id }, { token: owner.token }));
      return { data: result, statements: reports[0]!.statements };
    };
    const a = await measure(small);
    const b = await measure(large);
    expect(b.data.board.tickets.edges).toHaveLength(50);
    expect(b.data.board.tickets.totalCount).toBe(60);
    expect(
      b.data.board.tickets.edges.every(
        (e: any) => e.node.labels.length === 3 && e.node.commentCount === 1 && e.node.assignee.id,
      ),
    ).toBe(true);
    expect(b.statements).toBe(a.statements);
    expect(b.statements).toBeLessThanOrEqual(12);
    console.log(`board read: ${b.statements} statements for 50 of 60 tickets, ${a.statements} for 2`);
  });
});
