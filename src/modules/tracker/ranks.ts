import { and, asc, desc, eq, gt, lt, ne, sql } from 'drizzle-orm';
import { generateKeyBetween, generateNKeysBetween } from 'fractional-indexing';
import type { Queryable, Tx } from '../../db/client.js';
import { tickets } from '../../db/schema/index.js';
import { InputError } from '../../shared/errors.js';
import { parseId } from '../../shared/ids.js';

/** Keys longer than this make the state due for a rebalance (done in the background). */
export const REBALANCE_LENGTH = 12;

async function neighbour(
  q: Queryable,
  stateId: string,
  moving: string | null,
  side: 'above' | 'below',
  of: string | null,
) {
  const others = moving ? ne(tickets.id, moving) : undefined;
  const bound = of === null ? undefined : side === 'above' ? lt(tickets.rank, of) : gt(tickets.rank, of);
  const [row] = await q
    .select({ id: tickets.id, rank: tickets.rank })
    .from(tickets)
    .where(and(eq(tickets.stateId, stateId), others, bound))
    .orderBy(side === 'above' ? desc(tickets.rank) : asc(tickets.rank))
    .limit(1);
  return row;
}

async function anchor(q: Queryable, stateId: string, id: string, field: 'afterId' | 'beforeId') {
  const [row] = await q
    .select({ id: tickets.id, rank: tickets.rank, stateId: tickets.stateId })
    .from(tickets)
    .where(eq(tickets.id, parseId(id, 'Ticket')))
    .catch(() => []);
  if (!row || row.stateId !== stateId) throw new InputError({ [field]: 'Must be a ticket of the target state' });
  return row;
}

/**
 * The rank that puts a ticket between `afterId` and `beforeId` of a state (both null: the top).
 * Run under the board's lock: the key is generated between the anchor and its actual neighbour, so
 * two moves to "the same place" one after the other get different keys.
 */
export async function rankBetween(
  tx: Tx,
  stateId: string,
  moving: string | null,
  afterId: string | null | undefined,
  beforeId: string | null | undefined,
): Promise<string> {
  if (afterId && afterId === moving) throw new InputError({ afterId: 'A ticket cannot follow itself' });
  if (beforeId && beforeId === moving) throw new InputError({ beforeId: 'A ticket cannot precede itself' });
  if (afterId) {
    const after = await anchor(tx, stateId, afterId, 'afterId');
    const next = await neighbour(tx, stateId, moving, 'below', after.rank);
    if (beforeId) await anchor(tx, stateId, beforeId, 'beforeId');
    return generateKeyBetween(after.rank, next?.rank ?? null);
  }
  if (beforeId) {
    const before = await anchor(tx, stateId, beforeId, 'beforeId');
    const prev = await neighbour(tx, stateId, moving, 'above', before.rank);
    return generateKeyBetween(prev?.rank ?? null, before.rank);
  }
  const top = await neighbour(tx, stateId, moving, 'below', null);
  return generateKeyBetween(null, top?.rank ?? null);
}

/** The rank after every ticket of the state (accepting, creating, moving into a state without anchors). */
export async function bottomRank(tx: Tx, stateId: string, moving: string | null = null): Promise<string> {
  const last = await neighbour(tx, stateId, moving, 'above', null);
  return generateKeyBetween(last?.rank ?? null, null);
}

/** `n` ranks after every ticket of the state, in order (tickets moved in bulk). */
export async function bottomRanks(tx: Tx, stateId: string, n: number): Promise<string[]> {
  const last = await neighbour(tx, stateId, null, 'above', null);
  return generateNKeysBetween(last?.rank ?? null, null, n);
}

/**
 * Gives a state's tickets short, evenly spread keys in their current order (under the board's lock).
 * Returns how many tickets it touched.
 */
export async function rebalanceState(tx: Tx, stateId: string): Promise<number> {
  const rows = await tx
    .select({ id: tickets.id })
    .from(tickets)
    .where(eq(tickets.stateId, stateId))
    .orderBy(asc(tickets.rank));
  if (rows.length === 0) return 0;
  const keys = generateNKeysBetween(null, null, rows.length);
  // Through a temporary prefix: the unique (state, rank) index never sees two equal keys mid-way.
  await tx
    .update(tickets)
    .set({ rank: sql`'~' || ${tickets.rank}` })
    .where(eq(tickets.stateId, stateId));
  const ids = rows.map((r) => r.id);
  await tx.execute(
    sql`update ${tickets} t set rank = v.rank from unnest(${sql.param(ids)}::uuid[], ${sql.param(keys)}::text[]) as v(id, rank) where t.id = v.id`,
  );
  return rows.length;
}
