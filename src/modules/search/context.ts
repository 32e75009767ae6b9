import type { RequestContext } from '../../shared/context.js';
import type { SearchLoaders } from './search.loaders.js';
import type { SearchService } from './search.service.js';

/** The context as this module's resolvers use it: the services and loaders they call. */
export type Context = RequestContext<{ search: SearchService }, SearchLoaders>;
