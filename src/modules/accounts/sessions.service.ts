import { dbNowPlus } from '../../shared/clock.js';
import { and, desc, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import type { App } from '../../shared/app.js';
import type { Queryable } from '../../db/client.js';
import { refreshTokens, sessions } from '../../db/schema/index.js';
import { NotFoundError } from '../../shared/errors.js';
import { parseId } from '../../shared/ids.js';
import { recordActivity } from '../activity/index.js';
import { announce } from './viewer-cache.js';
import { randomToken, sha256, signAccessToken } from './tokens.js';
import type { UserRow } from '../users/index.js';

const DAY_S = 86_400;

export interface IssuedTokens {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
}

export interface ClientMeta {
  ip: string;
  userAgent: string | null;
}

export type RevokeReason =
  'logout' | 'revoked' | 'logout_all' | 'password_changed' | 'password_reset' | 'suspended' | 'reuse_detected';

/** Sessions (refresh-token families) and the tokens they hand out. */
export class SessionsService {
  constructor(private readonly app: App) {}

  /** Opens a session for the user and returns its first token pair. */
  async open(tx: Queryable, user: UserRow, client: ClientMeta): Promise<IssuedTokens & { sessionId: string }> {
    const { REFRESH_TOKEN_ABSOLUTE_DAYS: absolute, REFRESH_TOKEN_IDLE_DAYS: idle } = this.app.config;
    const [session] = await tx
      .insert(sessions)
      .values({
        userId: user.id,
        userAgent: client.userAgent?.slice(0, 500) ?? null,
        ipAddress: client.ip,
        expiresAt: dbNowPlus(Math.min(idle, absolute) * DAY_S),
        absoluteExpiresAt: dbNowPlus(absolute * DAY_S),
      })
      .returning({ id: sessions.id, expiresAt: sessions.expiresAt });
    const tokens = await this.issue(tx, user.id, session!.id, session!.expiresAt);
    await recordActivity(tx, {
      actorId: user.id,
      verb: 'session.created',
      entityType: 'session',
      entityId: session!.id,
      summary: `Signed in from ${client.userAgent?.slice(0, 80) ?? 'an unknown client'} (${client.ip})`,
    });
    return { ...tokens, sessionId: session!.id };
  }

  /**
   * A refresh token for the session (a new random one, or the given successor, stored unless
   * `stored` says it already is), and an access token bound to the session.
   */
  async issue(
    tx: Queryable,
    userId: string,
    sessionId: string,
    refreshExpiresAt: Date,
    refreshToken = randomToken(),
    stored = false,
  ): Promise<IssuedTokens> {
    if (!stored) await tx.insert(refreshTokens).values({ sessionId, tokenHash: sha256(refreshToken) });
    const access = await signAccessToken(this.app.tokens, userId, sessionId);
    return {
      accessToken: access.token,
      accessTokenExpiresAt: access.expiresAt,
      refreshToken,
      refreshTokenExpiresAt: refreshExpiresAt,
    };
  }

  /** Slides the session's idle expiry forward (never past its absolute expiry). */
  async touch(tx: Queryable, sessionId: string): Promise<Date> {
    const [row] = await tx
      .update(sessions)
      .set({
        lastUsedAt: sql`now()`,
        expiresAt: sql`least(${dbNowPlus(this.app.config.REFRESH_TOKEN_IDLE_DAYS * DAY_S)}, ${sessions.absoluteExpiresAt})`,
      })
      .where(eq(sessions.id, sessionId))
      .returning({ expiresAt: sessions.expiresAt });
    return row!.expiresAt;
  }

  async list(userId: string, currentSessionId: string | null) {
    const rows = await this.app.db
      .select()
      .from(sessions)
      .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), gt(sessions.expiresAt, sql`now()`)))
      .orderBy(desc(sessions.lastUsedAt), desc(sessions.id));
    return rows.map((s) => ({ ...s, current: s.id === currentSessionId }));
  }

  /** Revokes one of the user's own sessions; somebody else's is NOT_FOUND. */
  async revokeOwn(userId: string, id: string): Promise<boolean> {
    const sessionId = parseId(id, 'Session');
    return this.app.db.transaction(async (tx) => {
      const revoked = await this.revoke(tx, and(eq(sessions.id, sessionId), eq(sessions.userId, userId))!, 'revoked');
      if (revoked.length === 0) {
        const [exists] = await tx
          .select({ id: sessions.id })
          .from(sessions)
          .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId)));
        if (!exists) throw new NotFoundError('Session');
        return true;
      }
      await recordActivity(tx, {
        actorId: userId,
        verb: 'session.revoked',
        entityType: 'session',
        entityId: sessionId,
        summary: 'Signed out a device',
      });
      return true;
    });
  }

  /** Signs the user out everywhere; returns how many sessions ended. */
  async logoutAll(userId: string): Promise<number> {
    return this.app.db.transaction(async (tx) => {
      const ended = await this.revokeAll(tx, userId, 'logout_all');
      await recordActivity(tx, {
        actorId: userId,
        verb: 'session.logout_all',
        entityType: 'user',
        entityId: userId,
        summary: `Signed out of ${ended.length} sessions`,
      });
      return ended.length;
    });
  }

  /** Revokes every live session of the user (except `keep`); returns their ids. */
  async revokeAll(tx: Queryable, userId: string, reason: RevokeReason, keep?: string | null): Promise<string[]> {
    const where = keep ? and(eq(sessions.userId, userId), ne(sessions.id, keep))! : eq(sessions.userId, userId);
    return this.revoke(tx, where, reason);
  }

  /** Marks matching live sessions revoked and tells every replica, so their sockets close too. */
  async revoke(tx: Queryable, where: ReturnType<typeof eq>, reason: RevokeReason): Promise<string[]> {
    const rows = await tx
      .update(sessions)
      .set({ revokedAt: sql`now()`, revokedReason: reason })
      .where(and(where, isNull(sessions.revokedAt)))
      .returning({ id: sessions.id, userId: sessions.userId });
    // Chunks of 100 ids keep each payload far below NOTIFY's 8,000-byte limit.
    for (let i = 0; i < rows.length; i += 100) {
      await announce(this.app, tx, { topic: 'sessions.revoked', ids: rows.slice(i, i + 100).map((r) => r.id) });
    }
    return rows.map((r) => r.id);
  }
}
