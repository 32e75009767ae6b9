import { z } from 'zod';
import { TaskPriority } from '../../tasks/index.js';
import { CommentVisibility, StateCategory, TicketChannel } from '../../tracker/index.js';
import { defineTool, id } from './tool.js';

const SHOWN = 20;
const text = (max: number) => z.string().max(max);

/** A ticket as tools return it. */
const shown = (t: {
  id: string;
  boardId: string;
  number: number;
  title: string;
  description: string | null;
  stateId: string | null;
  triageStatus: string | null;
  priority: string;
  assigneeId: string | null;
  requesterEmail: string | null;
  channel: string;
}) => ({
  id: t.id,
  boardId: t.boardId,
  number: t.number,
  title: t.title,
  description: t.description?.slice(0, 2_000) ?? null,
  stateId: t.stateId,
  triageStatus: t.triageStatus,
  priority: t.priority,
  assigneeId: t.assigneeId,
  requester: t.requesterEmail,
  channel: t.channel,
});

export const searchTickets = defineTool({
  name: 'search_tickets',
  description:
    'Find tickets on the boards the user is a member of: words in the identifier, title, description or comments, a board, state categories.',
  risk: 'READ',
  schema: z.strictObject({
    query: z.string().max(200).optional(),
    boardId: id('board').optional(),
    stateCategories: z.array(z.enum(StateCategory)).max(5).optional(),
  }),
  async run(viewer, s, a) {
    const page = await s.tickets.search(
      viewer,
      { limit: SHOWN, after: null },
      {
        search: a.query ?? null,
        boardIds: a.boardId ? [a.boardId] : null,
        stateCategories: a.stateCategories ?? null,
      },
    );
    const rows = page.edges.map((e) => e.node);
    return {
      result: { totalCount: await page.totalCount, tickets: rows.map(shown) },
      // What a requester (mail, the public form) or another member wrote is not the viewer's.
      foreign: rows.some((t) => t.createdById !== viewer.userId),
      summary: `searched tickets${a.query ? ` for “${a.query}”` : ''}`,
    };
  },
});

export const createTicket = defineTool({
  name: 'create_ticket',
  description: 'Open a ticket on a board the user may edit (its default state unless a state is given).',
  risk: 'WRITE',
  schema: z.strictObject({
    boardId: id('board'),
    title: text(200),
    description: text(20_000).optional(),
    stateId: id('board state').optional(),
    priority: z.enum(TaskPriority).optional(),
  }),
  async run(viewer, s, a) {
    const t = await s.tickets.create(
      viewer,
      {
        boardId: a.boardId,
        title: a.title,
        description: a.description ?? null,
        stateId: a.stateId ?? null,
        priority: a.priority ?? null,
      },
      TicketChannel.ASSISTANT,
    );
    return {
      result: { ticket: shown(t) },
      entity: { type: 'ticket', id: t.id, boardId: t.boardId },
      summary: `opened the ticket “${t.title}”`,
    };
  },
});

export const updateTicket = defineTool({
  name: 'update_ticket',
  description: "Change a ticket's title, description or priority.",
  risk: 'WRITE',
  schema: z.strictObject({
    ticketId: id('ticket'),
    title: text(200).optional(),
    description: text(20_000).optional(),
    priority: z.enum(TaskPriority).optional(),
  }),
  async run(viewer, s, { ticketId, ...changes }) {
    const t = await s.tickets.update(viewer, ticketId, changes);
    return {
      result: { ticket: shown(t) },
      entity: { type: 'ticket', id: t.id, boardId: t.boardId },
      summary: `updated the ticket “${t.title}”`,
    };
  },
});

export const moveTicket = defineTool({
  name: 'move_ticket',
  description:
    'Move a ticket to a state of its board, after and/or before given tickets of that state (none: the top).',
  risk: 'WRITE',
  schema: z.strictObject({
    ticketId: id('ticket'),
    stateId: id('board state'),
    afterId: id('ticket to follow').optional(),
    beforeId: id('ticket to precede').optional(),
  }),
  async run(viewer, s, a) {
    const t = await s.ticketFlow.move(viewer, a.ticketId, {
      stateId: a.stateId,
      afterId: a.afterId ?? null,
      beforeId: a.beforeId ?? null,
    });
    return {
      result: { ticket: shown(t) },
      entity: { type: 'ticket', id: t.id, boardId: t.boardId },
      summary: `moved the ticket “${t.title}”`,
    };
  },
});

export const commentOnTicket = defineTool({
  name: 'comment_on_ticket',
  description:
    'Comment on a ticket. INTERNAL (the default) is for members only; PUBLIC is shown to the requester and mailed to them, so it waits for approval.',
  risk: 'WRITE',
  schema: z.strictObject({
    ticketId: id('ticket'),
    body: text(20_000),
    visibility: z.enum(CommentVisibility).optional(),
  }),
  // A PUBLIC comment reaches the requester (by mail): it waits for approval like any EXTERNAL effect.
  publishes: async (_viewer, _s, a) => a.visibility === CommentVisibility.PUBLIC,
  async run(viewer, s, a) {
    const c = await s.ticketComments.add(viewer, a.ticketId, {
      body: a.body,
      visibility: a.visibility ?? CommentVisibility.INTERNAL,
    });
    return {
      result: {
        comment: { id: c.id, ticketId: c.ticketId, visibility: c.visibility, deliveryStatus: c.deliveryStatus },
      },
      entity: { type: 'ticket', id: c.ticketId },
      summary: `commented on a ticket (${c.visibility})`,
    };
  },
});
