import { timestamp } from 'drizzle-orm/pg-core';

/**
 * timestamptz kept to the millisecond: exactly what a JavaScript Date holds, so a timestamp that went
 * through a cursor compares equal to the stored one.
 */
export const ts = () => timestamp({ withTimezone: true, precision: 3 });
