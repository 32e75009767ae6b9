import { sql } from 'drizzle-orm';
import { type Db, execRows } from '../db/client.js';
import type { JobQueue } from './jobs.js';

/**
 * Jobs still waiting in the table of the releases before pg-boss are moved to pg-boss once, at the
 * first start after the upgrade (each in the same transaction that deletes it), so a send queued
 * before the upgrade still goes out. Failed ones stay, as the record they were.
 */
export async function adoptLegacyJobs(db: Db, jobs: JobQueue, kinds: string[]): Promise<number> {
  return db.transaction(async (tx) => {
    const rows = await execRows<{
      kind: string;
      key: string;
      payload: Record<string, unknown>;
      group_key: string | null;
    }>(
      tx,
      sql`delete from jobs where status = 'queued' and kind = any(${sql.param(kinds)}::text[])
          returning kind, key, payload, group_key`,
    );
    for (const kind of kinds)
      await jobs.sendMany(
        tx,
        kind,
        rows.filter((r) => r.kind === kind).map((r) => ({ key: r.key, payload: r.payload, group: r.group_key })),
      );
    return rows.length;
  });
}
