import type { RequestContext } from '../../shared/context.js';
import type { DocumentLoaders } from './document.loaders.js';
import type { DocumentService } from './document.service.js';

/** The context as this module's resolvers use it: the services and loaders they call. */
export type Context = RequestContext<{ documents: DocumentService }, DocumentLoaders>;
