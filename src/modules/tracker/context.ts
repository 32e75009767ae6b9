import type { RequestContext } from '../../shared/context.js';
import type { MailLoaders } from '../mail/index.js';
import type { UserLoaders } from '../users/index.js';
import type { BoardService } from './board.service.js';
import type { TicketCommentService } from './comment.service.js';
import type { TicketInboxService } from './inbox.service.js';
import type { PublicFormService } from './public-form.service.js';
import type { PublicTicketService } from './public-ticket.service.js';
import type { BoardStateService } from './state.service.js';
import type { TicketFlowService } from './ticket-flow.service.js';
import type { TicketService } from './ticket.service.js';
import type { TrackerLoaders } from './tracker.loaders.js';
import type { TriageService } from './triage.service.js';

/** The context as this module's resolvers use it: the services and loaders they call. */
export type Context = RequestContext<
  {
    boards: BoardService;
    boardStates: BoardStateService;
    tickets: TicketService;
    ticketFlow: TicketFlowService;
    ticketComments: TicketCommentService;
    triage: TriageService;
    publicForms: PublicFormService;
    publicTickets: PublicTicketService;
    ticketInboxes: TicketInboxService;
  },
  TrackerLoaders & UserLoaders & MailLoaders
>;
