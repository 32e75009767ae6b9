import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { Queryable, Tx } from '../../db/client.js';
import { captures } from '../../db/schema/index.js';
import type { FieldProblems } from '../../shared/errors.js';
import type { CaptureRow } from './capture.type.js';

export const TEXT_MAX = 10_000;
const CLIENT_KEY_MAX = 100;
export const PER_MINUTE = 60;
/** C0 controls (and DEL) but tab and newline; a CRLF counts as a newline. */
const isControl = (ch: string) => {
  const c = ch.charCodeAt(0);
  return (c < 0x20 && c !== 0x09 && c !== 0x0a) || c === 0x7f;
};
const hasControls = (text: string) => [...text].some(isControl);
export const withoutControls = (text: string) => [...text].map((ch) => (isControl(ch) ? ' ' : ch)).join('');

/** The capture's text as stored: CRLF as LF, trimmed, 1-10,000 characters, no controls but tab and newline. */
export function captureText(p: FieldProblems, raw: string): string {
  const text = raw.replace(/\r\n/g, '\n').trim();
  p.check(text.length >= 1 && text.length <= TEXT_MAX, 'text', `Text must be 1-${TEXT_MAX} characters`);
  p.check(!hasControls(text), 'text', 'Text may not contain control characters other than tab and newline');
  return text;
}

/** The client's idempotency key, checked (at most 100 characters); null without one. */
export function clientKeyOf(p: FieldProblems, raw: string | null | undefined): string | null {
  const key = raw ?? null;
  if (key !== null) p.check(key.length >= 1 && key.length <= CLIENT_KEY_MAX, 'clientKey', 'At most 100 characters');
  return key;
}

/** The user's capture made with this clientKey within 24 h, if any. */
export async function captureByKey(q: Queryable, userId: string, key: string): Promise<CaptureRow | null> {
  const [row] = await q
    .select()
    .from(captures)
    .where(
      and(
        eq(captures.userId, userId),
        eq(captures.clientKey, key),
        sql`${captures.createdAt} > now() - interval '24 hours'`,
      ),
    )
    .orderBy(desc(captures.createdAt))
    .limit(1);
  return row ?? null;
}

/** Frees keys older than 24 h, so the same key makes a new capture. */
export async function freeOldKey(tx: Tx, userId: string, key: string): Promise<void> {
  await tx
    .update(captures)
    .set({ clientKey: null })
    .where(
      and(
        eq(captures.userId, userId),
        eq(captures.clientKey, key),
        lt(captures.createdAt, sql`now() - interval '24 hours'`),
      ),
    );
}
