import type { Account, GqlClient } from '../helpers/client.js';

export const BOARD_FIELDS = `id key name myRole triageEnabled autoAssign wipPolicy standbyCount
  defaultState { id name category } states { id name category position wipLimit ticketCount }`;
export const TICKET_FIELDS = `id number identifier title description rank priority channel triageStatus snoozedUntil
  state { id name category } assignee { id } createdBy { id } requester { email name } participants { email name }
  labels { id name } duplicateOf { id } commentCount completedAt canceledAt firstResponseAt`;

export async function createBoard(
  s: GqlClient,
  owner: Account,
  key: string,
  extra: Record<string, unknown> = {},
): Promise<{
  id: string;
  key: string;
  states: Array<{ id: string; name: string; category: string }>;
  defaultState: { id: string };
}> {
  const data = await s.ok(
    `mutation C($i: CreateBoardInput!) { createBoard(input: $i) { ${BOARD_FIELDS} } }`,
    { i: { name: `Board ${key}`, key, ...extra } },
    { token: owner.token },
  );
  return data.createBoard;
}

export async function addMember(
  s: GqlClient,
  owner: Account,
  boardId: string,
  who: Account,
  role: 'EDITOR' | 'VIEWER',
) {
  await s.ok(
    `mutation A($b: ID!, $e: String!, $r: BoardRole!) { addBoardMember(boardId: $b, email: $e, role: $r) { id } }`,
    { b: boardId, e: who.email, r: role },
    { token: owner.token },
  );
}

export async function createTicket(
  s: GqlClient,
  who: Account,
  boardId: string,
  fields: Record<string, unknown> = {},
): Promise<any> {
  const data = await s.ok(
    `mutation C($i: CreateTicketInput!) { createTicket(input: $i) { ${TICKET_FIELDS} } }`,
    { i: { boardId, title: 'A ticket', ...fields } },
    { token: who.token },
  );
  return data.createTicket;
}

export async function moveTicket(s: GqlClient, who: Account, id: string, input: Record<string, unknown>) {
  return s.gql(
    `mutation M($id: ID!, $i: MoveTicketInput!) { moveTicket(id: $id, input: $i) { id rank state { id } } }`,
    { id, i: input },
    { token: who.token },
  );
}

/** The tickets of a state in rank order, as the board lists them. */
export async function column(
  s: GqlClient,
  who: Account,
  boardId: string,
  stateId: string,
): Promise<Array<{ id: string; rank: string }>> {
  const data = await s.ok(
    `query B($b: ID!, $f: TicketFilter) { board(id: $b) { tickets(first: 100, filter: $f, orderBy: { field: RANK, direction: ASC }) { edges { node { id rank } } } } }`,
    { b: boardId, f: { stateIds: [stateId] } },
    { token: who.token },
  );
  return data.board.tickets.edges.map((e: any) => e.node);
}

export const code = (e: { extensions?: { code?: string } }) => e.extensions?.code;
