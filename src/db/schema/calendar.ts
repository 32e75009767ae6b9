import { boolean, date, index, pgEnum, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './users.js';
import { ts } from './columns.js';

export const rsvpStatusEnum = pgEnum('rsvp_status', ['PENDING', 'ACCEPTED', 'DECLINED', 'TENTATIVE']);

/**
 * Timed events keep instants. All-day events keep calendar dates (startDate..endDate inclusive, in
 * the organizer's timezone when created) and are shown on those dates in every viewer's timezone;
 * startsAt/endsAt hold the organizer's midnights for ordering.
 */
export const events = pgTable(
  'events',
  {
    id: uuid().primaryKey().defaultRandom(),
    organizerId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    title: text().notNull(),
    description: text(),
    location: text(),
    startsAt: ts().notNull(),
    endsAt: ts().notNull(),
    allDay: boolean().notNull().default(false),
    startDate: date({ mode: 'string' }),
    endDate: date({ mode: 'string' }),
    createdAt: ts().notNull().defaultNow(),
    updatedAt: ts().notNull().defaultNow(),
  },
  (t) => [
    index('events_organizer_idx').on(t.organizerId, t.startsAt),
    index('events_range_idx').on(t.startsAt, t.endsAt),
  ],
);

export const invitations = pgTable(
  'invitations',
  {
    id: uuid().primaryKey().defaultRandom(),
    eventId: uuid()
      .notNull()
      .references(() => events.id, { onDelete: 'cascade' }),
    /** Lower-cased. */
    email: text().notNull(),
    /** Set once someone with that email has an account. */
    inviteeId: uuid().references(() => users.id, { onDelete: 'set null' }),
    status: rsvpStatusEnum().notNull().default('PENDING'),
    respondedAt: ts(),
    createdAt: ts().notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('invitations_event_email_key').on(t.eventId, t.email),
    index('invitations_invitee_idx').on(t.inviteeId, t.status),
    index('invitations_email_idx').on(t.email),
  ],
);
