/** Every table, in one file per module (users, accounts, activity, notifications, tasks, usage, conversations, calendar, documents, journal, assistant) and the rate-limit counters of shared/. */
export * from './users.js';
export * from './accounts.js';
export * from './rate-limits.js';
export * from './activity.js';
export * from './notifications.js';
export * from './tasks.js';
export * from './usage.js';
export * from './conversations.js';
export * from './calendar.js';
export * from './documents.js';
export * from './journal.js';
export * from './assistant.js';
export * from './relations.js';
export * from './jobs.js';
export * from './mail.js';
export * from './bus.js';
export * from './idempotency.js';
