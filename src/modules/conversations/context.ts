import type { RequestContext } from '../../shared/context.js';
import type { ConversationLoaders } from './conversation.loaders.js';
import type { ConversationService } from './conversation.service.js';

/** The context as this module's resolvers use it: the services and loaders they call. */
export type Context = RequestContext<{ conversations: ConversationService }, ConversationLoaders>;
