import type { RequestContext } from '../../shared/context.js';
import type { JournalService } from './journal.service.js';

/** The context as this module's resolvers use it: the services and loaders they call. */
export type Context = RequestContext<{ journal: JournalService }, object>;
