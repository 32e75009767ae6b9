import type { DocumentLimits } from '../src/shared/document-limits.js';

const repeat = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join(' ');
const USER = ['id', 'email', 'name', 'username', 'timezone', 'role', 'tier', 'emailVerified', 'createdAt'];

/**
 * The heaviest anonymous documents the given limits admit, each built to make one stage as slow as
 * the limits allow: validation's overlap check, validation errors, fragment expansion, nesting, and
 * size. Used by the hostile benchmark; its test checks each is admitted (or refused only by the
 * check it aims at) under the default limits.
 */
export function hostileDocuments(l: DocumentLimits): Record<string, string> {
  const me = `me { ${USER.join(' ')} }`;
  const perMe = USER.length + 1;
  // The same name as often as allowed, then aliased copies, then other fields, up to the field limit.
  const repeats = Math.min(l.sameName, Math.floor(l.fields / perMe));
  const aliased = Math.min(l.aliases, Math.floor((l.fields - repeats * perMe) / perMe));
  const rest = Math.max(0, l.fields - (repeats + aliased) * perMe - 1);
  const filler = repeat(Math.min(l.sameName, Math.floor(rest / 3)), () => 'tierLimits { tier monthlyTokenLimit }');
  // Unknown fields, each its own validation error, up to the token or field limit.
  const unknown = Math.min(l.fields, l.tokens - 4);
  // Each fragment spreads the next twice: 2^k copies of the last one's fields, as many as one name
  // may be repeated.
  const levels = Math.max(1, Math.floor(Math.log2(l.sameName)));
  return {
    overlap: `{ ${repeat(repeats, () => me)} ${repeat(aliased, (i) => `a${i}: ${me}`)} ${filler} }`,
    unknownFields: `{ ${repeat(unknown, (i) => `unknownField${i}`)} }`,
    fragments: `{ ...F0 } ${repeat(levels, (i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`)} fragment F${levels} on Query { __typename }`,
    deep: `{ ${repeat(Math.min(l.sameName, Math.floor(l.fields / 9)), () => 'taskLists { tasks { edges { node { list { members { user { id email } } } } } } }')} }`,
    bytes: `{ __typename } # ${'x'.repeat(l.queryBytes - 100)}`,
  };
}
