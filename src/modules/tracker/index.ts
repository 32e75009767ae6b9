/** The issue tracker: boards, their states and members, tickets and comments, and the standby queue. */
import './topics.js';
export { BoardService } from './board.service.js';
export { BoardStateService } from './state.service.js';
export { TicketService } from './ticket.service.js';
export { TicketFlowService } from './ticket-flow.service.js';
export { TicketCommentService } from './comment.service.js';
export { TriageService, wakeSnoozed } from './triage.service.js';
export { type TrackerLoaders, createTrackerLoaders } from './tracker.loaders.js';
export { BoardMemberResolver, BoardResolver, BoardStateResolver } from './board.resolver.js';
export { TicketResolver } from './ticket.resolver.js';
export { TicketCommentResolver } from './comment.resolver.js';
export { TriageResolver } from './triage.resolver.js';
export { BoardEventsResolver } from './board-events.resolver.js';
export { PublicFormService } from './public-form.service.js';
export { PublicTicketService } from './public-ticket.service.js';
export { BoardFormResolver, PublicFormResolver } from './public-form.resolver.js';
export type { PublicTicketView } from './public-form.type.js';
export { Ticket } from './ticket.type.js';
