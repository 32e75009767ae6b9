export * from './accounts.js';
export * from './activity.js';
export * from './notifications.js';
export * from './tasks.js';
export * from './usage.js';
