import type { RequestContext } from '../../shared/context.js';
import type { UserLoaders } from '../users/index.js';
import type { EventLoaders } from './event.loaders.js';
import type { CalendarService } from './calendar.service.js';

/** The context as this module's resolvers use it: the services and loaders they call. */
export type Context = RequestContext<{ calendar: CalendarService }, EventLoaders & UserLoaders>;
