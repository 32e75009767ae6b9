import { customType, timestamp } from 'drizzle-orm/pg-core';

/**
 * timestamptz kept to the millisecond: exactly what a JavaScript Date holds, so a timestamp that went
 * through a cursor compares equal to the stored one.
 */
export const ts = () => timestamp({ withTimezone: true, precision: 3 });

/** Bytes (bytea), read back as a Buffer on both drivers. */
export const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v)),
});
