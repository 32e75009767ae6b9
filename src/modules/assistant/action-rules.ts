import { and, eq, gt, sql } from 'drizzle-orm';
import { type Tx, execRows } from '../../db/client.js';
import { assistantActions, credentialTaints } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import { ForbiddenError } from '../../shared/errors.js';
import type { Viewer } from '../../shared/viewer.js';

/** At most this many actions of one user wait at once; past it a call is FAILED with RATE_LIMITED. */
export const MAX_PENDING = 50;

/**
 * Approving and denying are a person's decisions: an access token of a signed-in session, never an
 * API key (an agent holding a key could otherwise approve what it proposed itself).
 */
export function requirePerson(viewer: Viewer): void {
  if (viewer.apiKeyId !== null || viewer.sessionId === null)
    throw new ForbiddenError('Only a signed-in person may approve or deny an action, not an API key');
}

/**
 * Whether the user already has MAX_PENDING actions waiting. It locks the user's row: called in the
 * transaction that inserts the new action, concurrent calls cannot pass the cap together.
 */
export async function pendingCapReached(tx: Tx, userId: string): Promise<boolean> {
  await tx.execute(sql`select 1 from users where id = ${userId} for update`);
  const [{ n } = { n: 0 }] = await execRows<{ n: number }>(
    tx,
    sql`select count(*)::int as n from ${assistantActions} where user_id = ${userId} and status = 'PENDING' and expires_at > clock_timestamp()`,
  );
  return n >= MAX_PENDING;
}

const credentialOf = (viewer: Viewer) => (viewer.apiKeyId ? `key:${viewer.apiKeyId}` : `session:${viewer.sessionId}`);

/** Whether the viewer's credential (API key or session) read foreign content within MCP_TAINT_WINDOW_S. */
export async function credentialTainted(app: App, viewer: Viewer): Promise<boolean> {
  const [row] = await app.db
    .select({ until: credentialTaints.until })
    .from(credentialTaints)
    .where(and(eq(credentialTaints.credential, credentialOf(viewer)), gt(credentialTaints.until, sql`now()`)));
  return row !== undefined;
}

/** Opens (or extends) the credential's taint window. */
export async function taintCredential(app: App, viewer: Viewer): Promise<void> {
  const until = sql`now() + make_interval(secs => ${app.config.MCP_TAINT_WINDOW_S})`;
  await app.db
    .insert(credentialTaints)
    .values({ credential: credentialOf(viewer), userId: viewer.userId, until: until as never })
    .onConflictDoUpdate({ target: credentialTaints.credential, set: { until } });
}
