/** The activity feed: `recordActivity` for every module's writes, and the feed query. */
export { type ActivityInput, ActivityService, recordActivity } from './activity.service.js';
export { ActivityResolver } from './activity.resolver.js';
