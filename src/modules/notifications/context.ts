import type { RequestContext } from '../../shared/context.js';
import type { NotificationService } from './notification.service.js';

/** The context as this module's resolvers use it: the services and loaders they call. */
export type Context = RequestContext<{ notifications: NotificationService }, object>;
