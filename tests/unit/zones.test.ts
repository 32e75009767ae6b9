import { describe, expect, it } from 'vitest';
import { addDays, dateInZone, startOfDay } from '../../src/shared/zones.js';

describe('time-zone arithmetic', () => {
  it('gives the calendar date of an instant in a zone', () => {
    const instant = new Date('2026-03-01T11:30:00Z');
    expect(dateInZone(instant, 'UTC')).toBe('2026-03-01');
    expect(dateInZone(instant, 'Pacific/Kiritimati')).toBe('2026-03-02');
    expect(dateInZone(instant, 'Pacific/Pago_Pago')).toBe('2026-03-01');
    expect(dateInZone(new Date('2026-03-01T10:59:59Z'), 'Pacific/Pago_Pago')).toBe('2026-02-28');
  });

  it('finds where a day begins, across daylight-saving changes', () => {
    expect(startOfDay('2026-06-01', 'Europe/Warsaw').toISOString()).toBe('2026-05-31T22:00:00.000Z');
    expect(startOfDay('2026-01-01', 'Europe/Warsaw').toISOString()).toBe('2025-12-31T23:00:00.000Z');
    // The day the US springs forward begins at midnight standard time; the next at daylight time.
    expect(startOfDay('2026-03-08', 'America/Los_Angeles').toISOString()).toBe('2026-03-08T08:00:00.000Z');
    expect(startOfDay('2026-03-09', 'America/Los_Angeles').toISOString()).toBe('2026-03-09T07:00:00.000Z');
    expect(startOfDay('2026-04-05', 'Pacific/Auckland').toISOString()).toBe('2026-04-04T11:00:00.000Z');
  });

  it('adds days across month and year ends and leap days', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
});
