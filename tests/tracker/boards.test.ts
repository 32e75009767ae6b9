import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execRows } from '../../src/db/client.js';
import type { Account } from '../helpers/client.js';
import { type TestServer, startServer } from '../helpers/server.js';
import { closeAll } from '../helpers/teardown.js';
import { addMember, BOARD_FIELDS, code, createBoard, createTicket, moveTicket } from './helpers.js';

let s: TestServer;
let owner: Account;
let editor: Account;
let viewer: Account;
let stranger: Account;
beforeAll(async () => {
  s = await startServer();
  [owner, editor, viewer, stranger] = await Promise.all([s.register(), s.register(), s.register(), s.register()]);
});
afterAll(() => closeAll(s));

describe('boards', () => {
  it('starts with the five default states, Backlog the default, and the owner as its only member', async () => {
    const board = await createBoard(s, owner, 'SUP');
    expect(board.states.map((st) => [st.name, st.category])).toEqual([
      ['Backlog', 'BACKLOG'],
      ['Todo', 'UNSTARTED'],
      ['In Progress', 'STARTED'],
      ['Done', 'COMPLETED'],
      ['Canceled', 'CANCELED'],
    ]);
    expect(board.defaultState.id).toBe(board.states[0]!.id);
    const data = await s.ok(
      `query B($id: ID!) { board(id: $id) { myRole owner { id } members { role user { id } } } }`,
      { id: board.id },
      { token: owner.token },
    );
    expect(data.board).toEqual({
      myRole: 'OWNER',
      owner: { id: owner.userId },
      members: [{ role: 'OWNER', user: { id: owner.userId } }],
    });
  });

  it('checks the key: its pattern is BAD_USER_INPUT, a key of the same owner is CONFLICT, another owner may use it', async () => {
    for (const key of ['s', 'SUPPORTDESK1', '1AB', 'sup', 'A-B']) {
      const err = await s.fail(
        `mutation { createBoard(input: { name: "x", key: "${key}" }) { id } }`,
        {},
        { token: owner.token },
      );
      expect([key, code(err), err.extensions?.fields]).toEqual([key, 'BAD_USER_INPUT', { key: expect.any(String) }]);
    }
    await createBoard(s, owner, 'KEY1');
    const err = await s.fail(
      `mutation { createBoard(input: { name: "x", key: "KEY1" }) { id } }`,
      {},
      { token: owner.token },
    );
    expect(code(err)).toBe('CONFLICT');
    expect((await createBoard(s, stranger, 'KEY1')).key).toBe('KEY1');
  });

  it('gives each role what it may do: NOT_FOUND for strangers, FORBIDDEN below the role', async () => {
    const board = await createBoard(s, owner, 'ROLE');
    await addMember(s, owner, board.id, editor, 'EDITOR');
    await addMember(s, owner, board.id, viewer, 'VIEWER');
    const q = `query B($id: ID!) { board(id: $id) { id myRole } }`;
    expect(code(await s.fail(q, { id: board.id }, { token: stranger.token }))).toBe('NOT_FOUND');
    expect((await s.ok(q, { id: board.id }, { token: viewer.token })).board.myRole).toBe('VIEWER');
    // A viewer reads but cannot create; an editor creates but cannot change settings.
    const create = `mutation C($b: ID!) { createTicket(input: { boardId: $b, title: "t" }) { id } }`;
    expect(code(await s.fail(create, { b: board.id }, { token: viewer.token }))).toBe('FORBIDDEN');
    expect(code(await s.fail(create, { b: board.id }, { token: stranger.token }))).toBe('NOT_FOUND');
    const ticket = await createTicket(s, editor, board.id);
    const rename = `mutation U($b: ID!) { updateBoard(id: $b, input: { name: "new" }) { name } }`;
    expect(code(await s.fail(rename, { b: board.id }, { token: editor.token }))).toBe('FORBIDDEN');
    expect((await s.ok(rename, { b: board.id }, { token: owner.token })).updateBoard.name).toBe('new');
    // Only the owner deletes tickets.
    const del = `mutation D($id: ID!) { deleteTicket(id: $id) }`;
    expect(code(await s.fail(del, { id: ticket.id }, { token: editor.token }))).toBe('FORBIDDEN');
    // An assignee must be an editor or the owner.
    const assign = `mutation A($id: ID!, $a: ID) { assignTicket(id: $id, assigneeId: $a) { assignee { id } } }`;
    const bad = await s.fail(assign, { id: ticket.id, a: viewer.userId }, { token: editor.token });
    expect([code(bad), Object.keys(bad.extensions?.fields as object)]).toEqual(['BAD_USER_INPUT', ['assigneeId']]);
    expect(
      (await s.ok(assign, { id: ticket.id, a: editor.userId }, { token: owner.token })).assignTicket.assignee.id,
    ).toBe(editor.userId);
    // A removed member loses the board and their assignments on it.
    await s.ok(
      `mutation R($b: ID!, $u: ID!) { removeBoardMember(boardId: $b, userId: $u) { id } }`,
      { b: board.id, u: editor.userId },
      { token: owner.token },
    );
    expect(code(await s.fail(q, { id: board.id }, { token: editor.token }))).toBe('NOT_FOUND');
    const after = await s.ok(
      `query T($id: ID!) { ticket(id: $id) { assignee { id } } }`,
      { id: ticket.id },
      { token: owner.token },
    );
    expect(after.ticket.assignee).toBeNull();
  });

  it('numbers tickets per board under a lock, never reusing a number, and resolves them by number', async () => {
    const board = await createBoard(s, owner, 'NUM');
    const made = await Promise.all(
      Array.from({ length: 12 }, (_, i) => createTicket(s, owner, board.id, { title: `t${i}` })),
    );
    expect(made.map((t) => t.number).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    await s.ok(
      `mutation D($id: ID!) { deleteTicket(id: $id) }`,
      { id: made.find((t) => t.number === 12)!.id },
      { token: owner.token },
    );
    expect((await createTicket(s, owner, board.id)).number).toBe(13);
    const byNumber = await s.ok(
      `query T($b: ID!) { boardTicket(boardId: $b, number: 3) { identifier } }`,
      { b: board.id },
      { token: owner.token },
    );
    expect(byNumber.boardTicket.identifier).toBe('NUM-3');
  });

  it('keeps one COMPLETED and one CANCELED state and the default; a state with tickets needs a destination', async () => {
    const board = await createBoard(s, owner, 'ST');
    const [backlog, todo, , done, canceled] = board.states;
    const del = `mutation D($id: ID!, $to: ID) { deleteBoardState(id: $id, moveTicketsToStateId: $to) }`;
    expect(code(await s.fail(del, { id: backlog!.id }, { token: owner.token }))).toBe('BAD_USER_INPUT');
    expect(code(await s.fail(del, { id: done!.id }, { token: owner.token }))).toBe('BAD_USER_INPUT');
    expect(code(await s.fail(del, { id: canceled!.id }, { token: owner.token }))).toBe('BAD_USER_INPUT');
    const t1 = await createTicket(s, owner, board.id, { stateId: todo!.id });
    const t2 = await createTicket(s, owner, board.id, { stateId: todo!.id });
    const held = await s.fail(del, { id: todo!.id }, { token: owner.token });
    expect(held.extensions?.fields).toEqual({ moveTicketsToStateId: expect.any(String) });
    expect((await s.ok(del, { id: todo!.id, to: backlog!.id }, { token: owner.token })).deleteBoardState).toBe(
      todo!.id,
    );
    const after = await s.ok(
      `query B($id: ID!) { board(id: $id) { states { name position ticketCount } tickets(first: 10) { edges { node { id state { id } } } } } }`,
      { id: board.id },
      { token: owner.token },
    );
    expect(after.board.states.map((x: any) => [x.name, x.position])).toEqual([
      ['Backlog', 0],
      ['In Progress', 1],
      ['Done', 2],
      ['Canceled', 3],
    ]);
    expect(after.board.states[0].ticketCount).toBe(2);
    expect(after.board.tickets.edges.map((e: any) => e.node.id)).toEqual([t1.id, t2.id]);
    // A second COMPLETED state makes the first deletable.
    await s.ok(
      `mutation C($b: ID!) { createBoardState(boardId: $b, input: { name: "Shipped", category: COMPLETED }) { id } }`,
      { b: board.id },
      { token: owner.token },
    );
    expect((await s.ok(del, { id: done!.id }, { token: owner.token })).deleteBoardState).toBe(done!.id);
  });

  it('enforces WIP limits: BLOCK refuses creating and moving into a full state, WARN allows it', async () => {
    const board = await createBoard(s, owner, 'WIP');
    const todo = board.states[1]!;
    await s.ok(
      `mutation U($id: ID!) { updateBoardState(id: $id, input: { wipLimit: 1 }) { wipLimit } }`,
      { id: todo.id },
      { token: owner.token },
    );
    const bad = await s.fail(
      `mutation U($id: ID!) { updateBoardState(id: $id, input: { wipLimit: 0 }) { id } }`,
      { id: todo.id },
      { token: owner.token },
    );
    expect(bad.extensions?.fields).toEqual({ wipLimit: expect.any(String) });
    await createTicket(s, owner, board.id, { stateId: todo.id });
    // WARN (the default): over the limit is allowed and reported by ticketCount.
    const second = await createTicket(s, owner, board.id, { stateId: todo.id });
    await s.ok(
      `mutation U($id: ID!) { updateBoard(id: $id, input: { wipPolicy: BLOCK }) { wipPolicy } }`,
      { id: board.id },
      { token: owner.token },
    );
    const third = await s.fail(
      `mutation C($b: ID!, $st: ID!) { createTicket(input: { boardId: $b, title: "x", stateId: $st }) { id } }`,
      { b: board.id, st: todo.id },
      { token: owner.token },
    );
    expect([code(third), third.extensions?.fields]).toEqual(['BAD_USER_INPUT', { stateId: expect.any(String) }]);
    const backlogTicket = await createTicket(s, owner, board.id);
    const move = await moveTicket(s, owner, backlogTicket.id, { stateId: todo.id });
    expect(move.errors?.[0]?.extensions?.fields).toEqual({ stateId: expect.any(String) });
    // Moving within the full state is allowed; removing the limit (explicit null) lets tickets in.
    expect((await moveTicket(s, owner, second.id, { stateId: todo.id })).errors).toBeUndefined();
    await s.ok(
      `mutation U($id: ID!) { updateBoardState(id: $id, input: { wipLimit: null }) { wipLimit } }`,
      { id: todo.id },
      { token: owner.token },
    );
    expect((await moveTicket(s, owner, backlogTicket.id, { stateId: todo.id })).errors).toBeUndefined();
  });

  it('keeps board labels per board (20 per ticket at most), and a former key still names the board', async () => {
    const board = await createBoard(s, owner, 'LAB');
    const other = await createBoard(s, owner, 'LAB2');
    const mk = (b: string, name: string) =>
      s.ok(
        `mutation L($b: ID!, $n: String!) { createBoardLabel(boardId: $b, input: { name: $n }) { id name } }`,
        { b, n: name },
        { token: owner.token },
      );
    const bug = (await mk(board.id, 'bug')).createBoardLabel;
    const foreign = (await mk(other.id, 'bug')).createBoardLabel;
    const dup = await s.fail(
      `mutation L($b: ID!) { createBoardLabel(boardId: $b, input: { name: "BUG" }) { id } }`,
      { b: board.id },
      { token: owner.token },
    );
    expect(code(dup)).toBe('CONFLICT');
    const t = await createTicket(s, owner, board.id, { labelIds: [bug.id] });
    expect(t.labels).toEqual([{ id: bug.id, name: 'bug' }]);
    const err = await s.fail(
      `mutation S($t: ID!, $l: [ID!]!) { setTicketLabels(ticketId: $t, labelIds: $l) { id } }`,
      { t: t.id, l: [foreign.id] },
      { token: owner.token },
    );
    expect(err.extensions?.fields).toEqual({ labelIds: expect.any(String) });
    const renamed = await s.ok(
      `mutation U($id: ID!) { updateBoard(id: $id, input: { key: "LABS" }) { key } }`,
      { id: board.id },
      { token: owner.token },
    );
    expect(renamed.updateBoard.key).toBe('LABS');
    const again = await s.ok(
      `query T($id: ID!) { ticket(id: $id) { identifier } }`,
      { id: t.id },
      { token: owner.token },
    );
    expect(again.ticket.identifier).toBe('LABS-1');
    const formerKeys = await execRows<{ key: string }>(
      s.server.app.db,
      sql`select key from board_former_keys where board_id = ${board.id}`,
    );
    expect(formerKeys).toEqual([{ key: 'LAB' }]);
  });

  it('lists the boards of the viewer with their standby counts and fields', async () => {
    const mine = await s.register();
    await createBoard(s, mine, 'ZED');
    await createBoard(s, mine, 'ALP');
    const data = await s.ok(`{ boards { ${BOARD_FIELDS} } }`, {}, { token: mine.token });
    expect(data.boards.map((b: any) => b.key)).toEqual(['ALP', 'ZED']);
  });
});
