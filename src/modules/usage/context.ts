import type { RequestContext } from '../../shared/context.js';
import type { UsageService } from './usage.service.js';

/** The context as this module's resolvers use it: the services and loaders they call. */
export type Context = RequestContext<{ usage: UsageService }, object>;
