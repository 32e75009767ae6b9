/** Notifications: rows written in the writer's transaction, their live stream and the feed. */
import './topics.js';
export { type NotificationInput, NotificationService, createNotifications } from './notification.service.js';
export { unreadCount } from './notification.store.js';
export { NotificationResolver } from './notification.resolver.js';
