/** The journal: one entry per type and day, and streaks. */
export { JournalService } from './journal.service.js';
export { JournalEntry, JournalEntryType, JournalStreak } from './journal.type.js';
export { JournalResolver } from './journal.resolver.js';
