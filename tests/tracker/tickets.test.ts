import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { closeAll } from '../helpers/teardown.js';
import { addMember, code, column, createBoard, createTicket, moveTicket } from './helpers.js';

let s: TestServer;
let owner: Account;
let editor: Account;
beforeAll(async () => {
  s = await startServer();
  [owner, editor] = await Promise.all([s.register(), s.register()]);
});
afterAll(() => closeAll(s));

describe('ticket order', () => {
  it('places a ticket between neighbours, at the top with none, and refuses anchors of another state', async () => {
    const board = await createBoard(s, owner, 'ORD');
    const [backlog, todo] = board.states;
    const [a, b, c] = [
      await createTicket(s, owner, board.id),
      await createTicket(s, owner, board.id),
      await createTicket(s, owner, board.id),
    ];
    expect((await column(s, owner, board.id, backlog!.id)).map((t) => t.id)).toEqual([a.id, b.id, c.id]);
    await moveTicket(s, owner, c.id, { stateId: backlog!.id, afterId: a.id, beforeId: b.id });
    expect((await column(s, owner, board.id, backlog!.id)).map((t) => t.id)).toEqual([a.id, c.id, b.id]);
    await moveTicket(s, owner, b.id, { stateId: backlog!.id });
    expect((await column(s, owner, board.id, backlog!.id)).map((t) => t.id)).toEqual([b.id, a.id, c.id]);
    const bad = await moveTicket(s, owner, a.id, { stateId: todo!.id, afterId: c.id });
    expect([code(bad.errors![0]!), bad.errors![0]!.extensions?.fields]).toEqual([
      'BAD_USER_INPUT',
      { afterId: expect.any(String) },
    ]);
    const moved = await moveTicket(s, owner, a.id, { stateId: todo!.id });
    expect(moved.data.moveTicket.state.id).toBe(todo!.id);
    // Ranks compare as plain strings, in the order the board shows.
    const ranks = (await column(s, owner, board.id, backlog!.id)).map((t) => t.rank);
    expect([...ranks].sort()).toEqual(ranks);
  });

  it('never gives two tickets of a state the same rank, with many moves to one place at once', async () => {
    const board = await createBoard(s, owner, 'CON');
    await addMember(s, owner, board.id, editor, 'EDITOR');
    const backlog = board.states[0]!;
    const first = await createTicket(s, owner, board.id, { title: 'first' });
    const last = await createTicket(s, owner, board.id, { title: 'last' });
    const movers = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        createTicket(s, owner, board.id, { title: `m${i}`, stateId: board.states[1]!.id }),
      ),
    );
    const results = await Promise.all(
      movers.map((m, i) =>
        moveTicket(s, i % 2 ? owner : editor, m.id, { stateId: backlog.id, afterId: first.id, beforeId: last.id }),
      ),
    );
    expect(results.flatMap((r) => r.errors ?? [])).toEqual([]);
    const col = await column(s, owner, board.id, backlog.id);
    expect(col).toHaveLength(12);
    expect(new Set(col.map((t) => t.rank)).size).toBe(12);
    expect(col[0]!.id).toBe(first.id);
    expect(col.at(-1)!.id).toBe(last.id);
  });

  it('rebalances a state in the background once keys grow long, keeping the order', async () => {
    const board = await createBoard(s, owner, 'REB');
    const backlog = board.states[0]!;
    const a = await createTicket(s, owner, board.id, { title: 'a' });
    const b = await createTicket(s, owner, board.id, { title: 'b' });
    // Always between a and the ticket after it: each new key is longer than the last.
    const made: string[] = [];
    for (let i = 0; i < 75; i++) {
      const t = await createTicket(s, owner, board.id, { title: `x${i}` });
      await moveTicket(s, owner, t.id, { stateId: backlog.id, afterId: a.id });
      made.unshift(t.id);
    }
    let col = await column(s, owner, board.id, backlog.id);
    for (let i = 0; i < 50 && col.some((t) => t.rank.length > 12); i++) {
      await new Promise((r) => setTimeout(r, 100));
      col = await column(s, owner, board.id, backlog.id);
    }
    expect(col.map((t) => t.id)).toEqual([a.id, ...made, b.id]);
    // 75 keys squeezed after one ticket reach 14 characters unless the state is rebalanced past 12.
    expect(Math.max(...col.map((t) => t.rank.length))).toBeLessThanOrEqual(12);
  });
});

describe('tickets', () => {
  it('edits, labels, participants and comments, with first response and counts', async () => {
    const board = await createBoard(s, owner, 'TIX');
    await addMember(s, owner, board.id, editor, 'EDITOR');
    const t = await createTicket(s, owner, board.id, {
      title: 'Printer on fire',
      requesterEmail: 'Pat@Example.com',
      requesterName: 'Pat',
    });
    expect(t).toMatchObject({
      identifier: 'TIX-1',
      channel: 'APP',
      requester: { email: 'pat@example.com', name: 'Pat' },
      createdBy: { id: owner.userId },
    });
    const long = await s.fail(
      `mutation U($id: ID!, $t: String!) { updateTicket(id: $id, input: { title: $t }) { id } }`,
      { id: t.id, t: 'x'.repeat(201) },
      { token: owner.token },
    );
    expect(long.extensions?.fields).toEqual({ title: expect.any(String) });
    await s.ok(
      `mutation P($id: ID!) { addTicketParticipant(ticketId: $id, email: "cc@example.com", name: "Cc") { id } }`,
      { id: t.id },
      { token: editor.token },
    );
    const internal = await s.ok(
      `mutation C($id: ID!) { addTicketComment(ticketId: $id, input: { body: "note to self", visibility: INTERNAL }) { id deliveryStatus author { id } } }`,
      { id: t.id },
      { token: editor.token },
    );
    expect(internal.addTicketComment).toMatchObject({ deliveryStatus: null, author: { id: editor.userId } });
    let view = await s.ok(
      `query T($id: ID!) { ticket(id: $id) { firstResponseAt commentCount participants { email } } }`,
      { id: t.id },
      { token: owner.token },
    );
    expect(view.ticket).toEqual({
      firstResponseAt: null,
      commentCount: 1,
      participants: [{ email: 'cc@example.com' }],
    });
    await s.ok(
      `mutation C($id: ID!) { addTicketComment(ticketId: $id, input: { body: "On it", visibility: PUBLIC }) { id } }`,
      { id: t.id },
      { token: owner.token },
    );
    view = await s.ok(
      `query T($id: ID!) { ticket(id: $id) { firstResponseAt commentCount comments(first: 10) { totalCount edges { node { body visibility } } } } }`,
      { id: t.id },
      { token: owner.token },
    );
    expect(view.ticket.firstResponseAt).not.toBeNull();
    expect(view.ticket.comments.edges.map((e: any) => e.node.body)).toEqual(['note to self', 'On it']);
    // Authors edit their own; the owner deletes any; another member neither edits nor deletes.
    const cid = internal.addTicketComment.id;
    const edit = `mutation E($id: ID!, $b: String!) { updateTicketComment(id: $id, body: $b) { body editedAt } }`;
    expect(code(await s.fail(edit, { id: cid, b: 'hijack' }, { token: owner.token }))).toBe('FORBIDDEN');
    expect(
      (await s.ok(edit, { id: cid, b: 'better note' }, { token: editor.token })).updateTicketComment.editedAt,
    ).not.toBeNull();
    const mine = await s.ok(
      `mutation C($id: ID!) { addTicketComment(ticketId: $id, input: { body: "x", visibility: INTERNAL }) { id } }`,
      { id: t.id },
      { token: owner.token },
    );
    expect(
      code(
        await s.fail(
          `mutation D($id: ID!) { deleteTicketComment(id: $id) }`,
          { id: mine.addTicketComment.id },
          { token: editor.token },
        ),
      ),
    ).toBe('FORBIDDEN');
    expect(
      (await s.ok(`mutation D($id: ID!) { deleteTicketComment(id: $id) }`, { id: cid }, { token: owner.token }))
        .deleteTicketComment,
    ).toBe(cid);
  });

  it('filters and searches across boards: identifier, comments, state category, labels, unassigned', async () => {
    const me = await s.register();
    const b1 = await createBoard(s, me, 'FIL');
    const b2 = await createBoard(s, me, 'FOO');
    const label = (
      await s.ok(
        `mutation L($b: ID!) { createBoardLabel(boardId: $b, input: { name: "vip" }) { id } }`,
        { b: b1.id },
        { token: me.token },
      )
    ).createBoardLabel.id;
    const t1 = await createTicket(s, me, b1.id, { title: 'Login broken', labelIds: [label], assigneeId: me.userId });
    const t2 = await createTicket(s, me, b2.id, { title: 'Invoice', stateId: b2.states[2]!.id });
    await s.ok(
      `mutation C($id: ID!) { addTicketComment(ticketId: $id, input: { body: "customer mentions a zebra", visibility: INTERNAL }) { id } }`,
      { id: t2.id },
      { token: me.token },
    );
    const q = async (filter: Record<string, unknown>) =>
      (
        await s.ok(
          `query T($f: TicketFilter) { tickets(first: 50, filter: $f) { totalCount edges { node { id } } } }`,
          { f: filter },
          { token: me.token },
        )
      ).tickets.edges.map((e: any) => e.node.id);
    expect(await q({ search: 'fil-1' })).toEqual([t1.id]);
    expect(await q({ search: 'ZEBRA' })).toEqual([t2.id]);
    expect(await q({ stateCategories: ['STARTED'] })).toEqual([t2.id]);
    expect(await q({ labelIds: [label] })).toEqual([t1.id]);
    expect(await q({ unassigned: true })).toEqual([t2.id]);
    expect(await q({ boardIds: [b1.id] })).toEqual([t1.id]);
    // Another user sees none of them.
    const other = await s.register();
    expect((await s.ok(`{ tickets(first: 5) { totalCount } }`, {}, { token: other.token })).tickets.totalCount).toBe(0);
  });
});
