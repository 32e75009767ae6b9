import { defineTopic } from '../../shared/event-bus.js';

declare module '../../shared/event-bus.js' {
  interface Topics {
    /** A ticket, comment or setting of a board changed; actorId null when a requester or the system did. */
    board: {
      boardId: string;
      kind:
        | 'TICKET_CREATED'
        | 'TICKET_UPDATED'
        | 'TICKET_MOVED'
        | 'TICKET_DELETED'
        | 'COMMENT_ADDED'
        | 'COMMENT_UPDATED'
        | 'COMMENT_DELETED'
        | 'BOARD_UPDATED';
      ticketId: string | null;
      commentId: string | null;
      actorId: string | null;
    };
  }
}

defineTopic('board', (e) => `board:${e.boardId}`);
