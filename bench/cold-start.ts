import { type DbKind, freshDatabase, startServerProcess } from './lib.js';
import { benchEnv } from './seed.js';

export interface ColdStartResult {
  /** ms from spawn to the first 200 of /readyz on an empty database: migrations included. */
  empty: number[];
  /** The same on a database that is already migrated (a restart). */
  existing: number[];
}

/**
 * 6. Cold start: the server process started as `npm start` starts it (same node flags, the build in dist/), from
 * spawn until /readyz answers 200, polled every 10 ms. npm's own start-up is not included.
 */
export async function coldStart(kind: DbKind, runs = 3): Promise<ColdStartResult> {
  const result: ColdStartResult = { empty: [], existing: [] };
  for (let i = 0; i < runs; i++) {
    const db = await freshDatabase(kind);
    try {
      const first = await startServerProcess(benchEnv(db.env), 0, true);
      result.empty.push(first.startMs);
      await first.stop();
      const again = await startServerProcess(benchEnv(db.env), 0, true);
      result.existing.push(again.startMs);
      await again.stop();
    } finally {
      await db.drop();
    }
  }
  return result;
}
