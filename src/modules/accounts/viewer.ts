import { dbNowMs } from '../../shared/clock.js';
import { type SQL, and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { execRows } from '../../db/client.js';
import type { App } from '../../shared/app.js';
import { apiKeys, refreshTokens, sessions, users } from '../../db/schema/index.js';
import { SuspendedError, UnauthenticatedError } from '../../shared/errors.js';
import type { Authentication } from '../../shared/viewer.js';
import { safeEqual, sha256, verifyAccessToken } from './tokens.js';
import { publicUserColumns } from '../users/index.js';

export const API_KEY_PREFIX = 'orb_';
const anonymous: Authentication = { viewer: null, error: null };

/** Resolves an `Authorization` header value. Bad credentials give an error, kept until needed. */
export async function authenticate(app: App, header: string | undefined | null): Promise<Authentication> {
  if (!header) return anonymous;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (!match) return { viewer: null, error: new UnauthenticatedError('Malformed Authorization header') };
  const credential = match[1];
  if (credential!.startsWith(API_KEY_PREFIX)) return byApiKey(app, credential!);
  const cached = app.viewers.get(credential!);
  if (cached) return { viewer: cached, error: null };
  const readAt = app.viewers.begin();
  const auth = await byAccessToken(app, credential!);
  if (auth.viewer) app.viewers.put(credential!, auth.viewer, readAt);
  return auth;
}

async function byAccessToken(app: App, token: string): Promise<Authentication> {
  const claims = await verifyAccessToken(app.tokens, token);
  if (!claims) return { viewer: null, error: new UnauthenticatedError('Invalid or expired access token') };
  const [row] = await app.db
    .select({ user: publicUserColumns, revokedAt: sessions.revokedAt })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, claims.sessionId), eq(sessions.userId, claims.userId)));
  if (!row) return { viewer: null, error: new UnauthenticatedError('Session has ended') };
  if (row.user.suspendedAt) return { viewer: null, error: new SuspendedError(row.user.suspensionReason) };
  if (row.revokedAt) return { viewer: null, error: new UnauthenticatedError('Session has ended') };
  return {
    viewer: {
      user: row.user,
      userId: row.user.id,
      sessionId: claims.sessionId,
      apiKeyId: null,
      scopes: null,
      expiresAt: claims.expiresAt,
    },
    error: null,
  };
}

async function byApiKey(app: App, key: string): Promise<Authentication> {
  const invalid = { viewer: null, error: new UnauthenticatedError('Invalid API key') };
  const prefix = /^orb_([0-9a-f]{12})_[A-Za-z0-9_-]{43}$/.exec(key)?.[1];
  if (!prefix) return invalid;
  const [row] = await app.db
    .select({ key: apiKeys, user: publicUserColumns, now: dbNowMs })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(eq(apiKeys.prefix, prefix));
  if (!row || !safeEqual(row.key.keyHash, sha256(key))) return invalid;
  if (row.key.revokedAt) return { viewer: null, error: new UnauthenticatedError('API key revoked') };
  if (row.key.expiresAt && row.key.expiresAt.getTime() <= row.now)
    return { viewer: null, error: new UnauthenticatedError('API key expired') };
  if (row.user.suspendedAt) return { viewer: null, error: new SuspendedError(row.user.suspensionReason) };
  // lastUsedAt is kept to the minute: no write on every request.
  await app.db
    .update(apiKeys)
    .set({ lastUsedAt: sql`now()` })
    .where(
      and(
        eq(apiKeys.id, row.key.id),
        or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, sql`now() - interval '1 minute'`)),
      ),
    );
  return {
    viewer: {
      user: row.user,
      userId: row.user.id,
      sessionId: null,
      apiKeyId: row.key.id,
      scopes: row.key.scopes,
      expiresAt: row.key.expiresAt,
    },
    error: null,
  };
}

/**
 * A WebSocket upgrade may carry the refresh cookie instead of a token: the session it belongs to
 * signs the connection in (nothing is rotated). A retired token does not count.
 */
export async function sessionViewer(app: App, refreshToken: string): Promise<Authentication> {
  const [row] = await app.db
    .select({ user: publicUserColumns, session: sessions, rotatedAt: refreshTokens.rotatedAt, now: dbNowMs })
    .from(refreshTokens)
    .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(refreshTokens.tokenHash, sha256(refreshToken)));
  if (!row || row.rotatedAt || row.session.revokedAt || row.session.expiresAt.getTime() <= row.now) {
    return { viewer: null, error: new UnauthenticatedError('Invalid refresh token') };
  }
  if (row.user.suspendedAt) return { viewer: null, error: new SuspendedError(row.user.suspensionReason) };
  return {
    viewer: {
      user: row.user,
      userId: row.user.id,
      sessionId: row.session.id,
      apiKeyId: null,
      scopes: null,
      expiresAt: row.session.expiresAt,
    },
    error: null,
  };
}

/**
 * Of these sessions and API keys, the ones that still authenticate (not revoked, not expired, their
 * user not suspended): one statement, for re-checking every open socket after a gap in events.
 */
export async function liveCredentials(
  app: App,
  sessionIds: string[],
  apiKeyIds: string[],
): Promise<{ sessions: Set<string>; apiKeys: Set<string> }> {
  const among = (column: SQL, ids: string[]) => (ids.length > 0 ? sql`${column} in ${ids}` : sql`false`);
  const rows = await execRows<{ kind: string; id: string }>(
    app.db,
    sql`select 'session' as kind, s.id::text as id from ${sessions} s join ${users} u on u.id = s.user_id
          where ${among(sql`s.id`, sessionIds)} and s.revoked_at is null and s.expires_at > now() and u.suspended_at is null
        union all
        select 'key', k.id::text from ${apiKeys} k join ${users} u on u.id = k.user_id
          where ${among(sql`k.id`, apiKeyIds)} and k.revoked_at is null and (k.expires_at is null or k.expires_at > now())
            and u.suspended_at is null`,
  );
  const live = { sessions: new Set<string>(), apiKeys: new Set<string>() };
  for (const row of rows) (row.kind === 'session' ? live.sessions : live.apiKeys).add(row.id);
  return live;
}
