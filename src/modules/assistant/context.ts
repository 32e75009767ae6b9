import type { RequestContext } from '../../shared/context.js';
import type { AssistantLoaders } from './action.loaders.js';
import type { ActionService } from './action.service.js';
import type { Agent } from './agent.js';

/** The context as this module's resolvers use it: the services and loaders they call. */
export type Context = RequestContext<{ assistant: Agent; actions: ActionService }, AssistantLoaders>;
