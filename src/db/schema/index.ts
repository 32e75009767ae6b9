export * from './accounts.js';
export * from './activity.js';
export * from './notifications.js';
export * from './tasks.js';
export * from './usage.js';
export * from './calendar.js';
export * from './documents.js';
