import type { Db } from '../../db/client.js';
import { KnownLoader } from '../../shared/known-loader.js';
import { anyId } from '../../db/sql.js';
import { users } from '../../db/schema/index.js';
import { type PublicUser, publicUserColumns } from './user.type.js';

/** Per-request loaders of the accounts module. */
export function createUserLoaders(db: Db) {
  return {
    userById: new KnownLoader<string, PublicUser | null>(async (ids) => {
      const rows = await db.select(publicUserColumns).from(users).where(anyId(users.id, ids));
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
  };
}

export type UserLoaders = ReturnType<typeof createUserLoaders>;
