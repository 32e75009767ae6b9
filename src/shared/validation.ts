import type { FieldProblems } from './errors.js';

const COLOR = /^#[0-9a-fA-F]{6}$/;

/** A colour as #RRGGBB, or none. */
export function checkColor(p: FieldProblems, color: string | null | undefined): void {
  if (color != null) p.check(COLOR.test(color), 'color', 'Color must be #RRGGBB');
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const USERNAME = /^[a-zA-Z0-9_.-]{3,32}$/;

/**
 * The one form of an address that is stored and compared: trimmed, lower-cased, then Unicode NFC, so
 * "café" typed with a combining accent (NFD) and with a precomposed é are the same address.
 */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase().normalize('NFC');
}

/** A login identifier (email or username) in the form normalizeEmail stores. */
export const normalizeIdentifier = normalizeEmail;

export function checkEmail(p: FieldProblems, email: string, field = 'email'): void {
  p.check(email.length <= 254 && EMAIL.test(email), field, 'Enter a valid email address');
}

export function checkUsername(p: FieldProblems, username: string | null | undefined): void {
  if (username == null) return;
  p.check(USERNAME.test(username), 'username', 'Username must be 3-32 letters, digits, dots, dashes or underscores');
  p.check(!username.includes('@'), 'username', 'Username must not contain @');
}

export function checkName(p: FieldProblems, name: string | null | undefined): void {
  if (name == null) return;
  p.check(name.trim().length >= 1 && name.length <= 100, 'name', 'Name must be 1-100 characters');
}

export function isTimezone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.length <= 64;
  } catch {
    return false;
  }
}

export function checkTimezone(p: FieldProblems, zone: string | null | undefined): void {
  if (zone == null) return;
  p.check(isTimezone(zone), 'timezone', 'Unknown IANA timezone');
}
