import type { RequestContext } from '../../shared/context.js';
import type { UserLoaders } from '../users/index.js';
import type { ActivityService } from './activity.service.js';

/** The context as this module's resolvers use it: the services and loaders they call. */
export type Context = RequestContext<{ activity: ActivityService }, UserLoaders>;
