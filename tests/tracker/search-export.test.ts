import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestServer, startServer } from '../helpers/server.js';
import { closeAll } from '../helpers/teardown.js';
import { addMember, code, createBoard, createTicket } from './helpers.js';

let s: TestServer;
beforeAll(async () => {
  s = await startServer();
});
afterAll(() => closeAll(s));

const SEARCH = `query S($q: String!, $t: [SearchableType!]) { search(query: $q, types: $t, mode: TEXT) { type id title node { __typename ... on Ticket { identifier } } } }`;

describe('tickets in search, export and API keys', () => {
  it('finds tickets by text for members only (not unconfirmed public submissions)', async () => {
    const owner = await s.register();
    const member = await s.register();
    const stranger = await s.register();
    const board = await createBoard(s, owner, 'SRCH');
    await addMember(s, owner, board.id, member, 'VIEWER');
    const t = await createTicket(s, owner, board.id, {
      title: 'Kerberos tickets expire',
      description: 'The keytab rotation fails nightly',
    });
    const hits = (await s.ok(SEARCH, { q: 'keytab rotation' }, { token: member.token })).search;
    expect(hits).toEqual([
      {
        type: 'TICKET',
        id: t.id,
        title: 'SRCH-1 Kerberos tickets expire',
        node: { __typename: 'Ticket', identifier: 'SRCH-1' },
      },
    ]);
    expect((await s.ok(SEARCH, { q: 'keytab', t: ['TICKET'] }, { token: stranger.token })).search).toEqual([]);
    const form = (
      await s.ok(
        `mutation F($b: ID!) { setBoardPublicForm(boardId: $b, input: { enabled: true }) { slug } }`,
        { b: board.id },
        { token: owner.token },
      )
    ).setBoardPublicForm;
    await s.ok(`mutation S($i: PublicTicketInput!) { submitPublicTicket(input: $i) { accepted } }`, {
      i: { slug: form.slug, email: 'anon@example.com', title: 'Unconfirmed keytab question', body: 'keytab' },
    });
    const after = (await s.ok(SEARCH, { q: 'keytab', t: ['TICKET'] }, { token: owner.token })).search;
    expect(after.map((h: any) => h.id)).toEqual([t.id]);
  });

  it('exports the boards a user owns with their tickets and comments', async () => {
    const owner = await s.register();
    const board = await createBoard(s, owner, 'EXP');
    const t = await createTicket(s, owner, board.id, { title: 'Exported ticket' });
    await s.ok(
      `mutation C($id: ID!) { addTicketComment(ticketId: $id, input: { body: "exported comment", visibility: INTERNAL }) { id } }`,
      { id: t.id },
      { token: owner.token },
    );
    const data = (await s.ok(`{ exportMyData }`, {}, { token: owner.token })).exportMyData;
    expect(data.boards.map((b: any) => b.key)).toEqual(['EXP']);
    expect(data.boardStates).toHaveLength(5);
    expect(data.tickets.map((x: any) => x.title)).toEqual(['Exported ticket']);
    expect(data.ticketComments.map((c: any) => c.body)).toEqual(['exported comment']);
    const other = await s.register();
    expect(JSON.stringify((await s.ok(`{ exportMyData }`, {}, { token: other.token })).exportMyData)).not.toContain(
      'Exported ticket',
    );
  });

  it('lets a READ API key read boards and tickets but change nothing', async () => {
    const owner = await s.register();
    const board = await createBoard(s, owner, 'KEY');
    const secret = (
      await s.ok(
        `mutation { createApiKey(input: { name: "r", scopes: [READ] }) { secret } }`,
        {},
        { token: owner.token },
      )
    ).createApiKey.secret;
    expect(
      (await s.ok(`query B($id: ID!) { board(id: $id) { key } }`, { id: board.id }, { token: secret })).board.key,
    ).toBe('KEY');
    const err = await s.fail(
      `mutation C($b: ID!) { createTicket(input: { boardId: $b, title: "x" }) { id } }`,
      { b: board.id },
      { token: secret },
    );
    expect(code(err)).toBe('FORBIDDEN');
  });
});
