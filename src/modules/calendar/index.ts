/** The calendar: events, invitations and answers, all-day dates per viewer's zone. */
export { CalendarService, overlaps, visibleEvents } from './calendar.service.js';
export { CalendarEvent } from './event.type.js';
export { type EventLoaders, createEventLoaders } from './event.loaders.js';
export { linkInvitations } from './event.hooks.js';
export { EventResolver, InvitationResolver } from './event.resolver.js';
