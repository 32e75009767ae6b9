import { NotFoundError } from './errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** A malformed id is NOT_FOUND, exactly like a random one. */
export function parseId(value: string, what = 'Object'): string {
  if (!isUuid(value)) throw new NotFoundError(what);
  return value.toLowerCase();
}

/** Ids that cannot exist are dropped: they match nothing anyway. */
export function validIds(values: readonly string[]): string[] {
  return [...new Set(values.filter(isUuid).map((v) => v.toLowerCase()))];
}
