import { randomBytes } from 'node:crypto';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { App } from '../../shared/app.js';
import { apiKeys } from '../../db/schema/index.js';
import { FieldProblems, NotFoundError } from '../../shared/errors.js';
import { parseId } from '../../shared/ids.js';
import { recordActivity } from '../activity/index.js';
import { publish } from '../../shared/event-bus.js';
import type { CreateApiKeyInput } from './auth.inputs.js';
import { ApiKeyScope } from './auth.types.js';
import { randomToken, sha256 } from './tokens.js';
import type { Viewer } from '../../shared/viewer.js';
import { API_KEY_PREFIX } from './viewer.js';

type ApiKeyRow = typeof apiKeys.$inferSelect;
const MAX_KEYS = 50;

/** The GraphQL view of a key row. */
export function toApiKey(row: ApiKeyRow) {
  return { ...row, scopes: row.scopes as ApiKeyScope[], revoked: row.revokedAt !== null };
}

export class ApiKeysService {
  constructor(private readonly app: App) {}

  /** Returns the key once: `orb_<prefix>_<secret>`; only its SHA-256 is stored. */
  async create(viewer: Viewer, input: CreateApiKeyInput) {
    const name = input.name.trim();
    const scopes = [...new Set(input.scopes)];
    const p = new FieldProblems();
    p.check(name.length >= 1 && name.length <= 100, 'name', 'Name must be 1-100 characters');
    p.check(scopes.length > 0, 'scopes', 'Give at least one scope');
    p.check(!input.expiresAt || input.expiresAt.getTime() > Date.now(), 'expiresAt', 'Expiry must be in the future');
    p.throwIfAny();
    const prefix = randomBytes(6).toString('hex');
    const secret = `${API_KEY_PREFIX}${prefix}_${randomToken()}`;
    return this.app.db.transaction(async (tx) => {
      const [{ count } = { count: 0 }] = await tx
        .select({ count: sql<number>`count(*)::int` })
        .from(apiKeys)
        .where(and(eq(apiKeys.userId, viewer.userId), sql`${apiKeys.revokedAt} is null`));
      if (count >= MAX_KEYS) new FieldProblems().add('name', `At most ${MAX_KEYS} active keys`).throwIfAny();
      const [row] = await tx
        .insert(apiKeys)
        .values({
          userId: viewer.userId,
          name,
          prefix,
          keyHash: sha256(secret),
          scopes,
          expiresAt: input.expiresAt ?? null,
        })
        .returning();
      await recordActivity(tx, {
        actorId: viewer.userId,
        verb: 'apikey.created',
        entityType: 'api_key',
        entityId: row!.id,
        summary: `Created API key "${name}"`,
      });
      return { apiKey: toApiKey(row!), secret };
    });
  }

  async list(viewer: Viewer) {
    const rows = await this.app.db
      .select()
      .from(apiKeys)
      .where(eq(apiKeys.userId, viewer.userId))
      .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
    return rows.map(toApiKey);
  }

  async revoke(viewer: Viewer, id: string) {
    const keyId = parseId(id, 'API key');
    return this.app.db.transaction(async (tx) => {
      const [row] = await tx
        .update(apiKeys)
        .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, now())` })
        .where(and(eq(apiKeys.id, keyId), eq(apiKeys.userId, viewer.userId)))
        .returning();
      if (!row) throw new NotFoundError('API key');
      await publish(tx, { topic: 'apikey.revoked', id: row.id });
      await recordActivity(tx, {
        actorId: viewer.userId,
        verb: 'apikey.revoked',
        entityType: 'api_key',
        entityId: row.id,
        summary: `Revoked API key "${row.name}"`,
      });
      return toApiKey(row);
    });
  }
}
