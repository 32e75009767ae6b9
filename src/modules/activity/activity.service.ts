import type { Queryable } from '../../db/client.js';
import { activities } from '../../db/schema/index.js';

export interface ActivityInput {
  actorId: string;
  /** e.g. task.created, session.reuse_detected */
  verb: string;
  entityType: string;
  entityId: string;
  summary: string;
  /** The task list it happened in, so the list's members see it. */
  listId?: string | null;
}

/** Writes activity rows; call it with the mutation's transaction. */
export async function recordActivity(tx: Queryable, ...entries: ActivityInput[]): Promise<void> {
  if (entries.length === 0) return;
  await tx.insert(activities).values(entries.map((e) => ({ ...e, listId: e.listId ?? null })));
}
