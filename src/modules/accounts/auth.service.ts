import { dbNowMs } from '../../shared/clock.js';
import { and, eq, isNull, or, sql } from 'drizzle-orm';
import { type App, sendAll } from '../../shared/app.js';
import type { Tx } from '../../db/client.js';
import { refreshTokens, sessions, users } from '../../db/schema/index.js';
import {
  AppError,
  ConflictError,
  FieldProblems,
  InputError,
  SuspendedError,
  UnauthenticatedError,
  isUniqueViolation,
} from '../../shared/errors.js';
import type { Mail } from '../../shared/mailer.js';
import { RateLimiter } from '../../shared/rate-limit.js';
import { recordActivity } from '../activity/index.js';
import { createNotifications } from '../notifications/index.js';
import type { LoginInput, RegisterInput } from './auth.inputs.js';
import { createEmailToken, securityAlertMail, verificationMail } from './email-tokens.js';
import { MAX_PASSWORD, passwordProblem } from './passwords.js';
import { type ClientMeta, type IssuedTokens, SessionsService } from './sessions.service.js';
import { rotationDecision, sha256, successorOf } from './tokens.js';
import type { UserRow } from '../users/index.js';
import {
  checkEmail,
  checkName,
  checkTimezone,
  checkUsername,
  normalizeEmail,
  normalizeIdentifier,
} from '../../shared/validation.js';

export type AuthResult = IssuedTokens & { user: UserRow };
/** Runs inside the registration transaction: apply invitations and shares waiting for this email. */
export type RegistrationHook = (tx: Tx, user: UserRow) => Promise<void>;

const INVALID_LOGIN = 'Invalid email, username or password';

export class AuthService {
  private readonly limiter: RateLimiter;

  constructor(
    private readonly app: App,
    private readonly sessions: SessionsService,
    private readonly onRegister: RegistrationHook[] = [],
  ) {
    this.limiter = new RateLimiter(app.db);
  }

  private get ipWindow() {
    return { seconds: this.app.config.IP_WINDOW_S };
  }

  async register(input: RegisterInput, client: ClientMeta): Promise<AuthResult> {
    const email = normalizeEmail(input.email);
    const username = input.username?.trim() || null;
    const p = new FieldProblems();
    checkEmail(p, email);
    checkUsername(p, username);
    checkName(p, input.name);
    checkTimezone(p, input.timezone);
    const problem = passwordProblem(input.password, [email, username]);
    if (problem) p.add('password', problem);
    p.throwIfAny();
    await this.limiter.hit(`register:ip:${client.ip}`, { ...this.ipWindow, limit: this.app.config.IP_REGISTER_LIMIT });

    const passwordHash = await this.app.passwords.hash(input.password);
    const mails: Mail[] = [];
    const result = await this.app.db
      .transaction(async (tx) => {
        const [user] = await tx
          .insert(users)
          .values({
            email,
            username,
            name: input.name?.trim() || null,
            timezone: input.timezone ?? 'UTC',
            passwordHash,
          })
          .returning();
        await recordActivity(tx, {
          actorId: user!.id,
          verb: 'user.registered',
          entityType: 'user',
          entityId: user!.id,
          summary: 'Created the account',
        });
        for (const hook of this.onRegister) await hook(tx, user!);
        const tokens = await this.sessions.open(tx, user!, client);
        const token = await createEmailToken(tx, user!.id, 'VERIFY_EMAIL');
        mails.push(verificationMail(this.app, email, token));
        return { ...tokens, user: user! };
      })
      .catch((error: unknown) => {
        if (isUniqueViolation(error, 'users_email_key'))
          throw new ConflictError('This email is already registered', 'email');
        if (isUniqueViolation(error, 'users_username_key'))
          throw new ConflictError('This username is taken', 'username');
        throw error;
      });
    await sendAll(this.app, mails);
    return result;
  }

  async login(input: LoginInput, client: ClientMeta): Promise<AuthResult> {
    const identifier = normalizeIdentifier(input.identifier);
    // No email (254) or username (32) is longer: a longer identifier is no account, and is never
    // written as a rate-limit key (whose index takes at most a couple of kilobytes).
    if (identifier.length > 254 || [...input.password].length > MAX_PASSWORD)
      throw new InputError({ [identifier.length > 254 ? 'identifier' : 'password']: 'Too long' });
    // Every attempt counts against the address; failures count against the account.
    await this.limiter.hit(`login:ip:${client.ip}`, { ...this.ipWindow, limit: this.app.config.IP_LOGIN_LIMIT });
    const [found] = await this.app.db
      .select()
      .from(users)
      .where(or(eq(users.email, identifier), eq(sql`lower(${users.username})`, identifier)))
      .limit(1);
    const accountKey = `login:fail:${found?.id ?? identifier}`;
    const failWindow = { seconds: this.app.config.LOGIN_FAILURE_WINDOW_S, limit: this.app.config.LOGIN_MAX_FAILURES };
    await this.limiter.check(accountKey, failWindow);

    const ok = await this.app.passwords.verify(found?.passwordHash ?? null, input.password);
    if (!found || !ok) {
      await this.limiter.record(accountKey, failWindow);
      throw new UnauthenticatedError(INVALID_LOGIN);
    }
    if (found.suspendedAt) throw new SuspendedError(found.suspensionReason);
    await this.limiter.reset(accountKey);

    const rehash = this.app.passwords.needsRehash(found.passwordHash)
      ? await this.app.passwords.hash(input.password)
      : null;
    return this.app.db.transaction(async (tx) => {
      let user = found;
      if (rehash)
        [user] = (await tx.update(users).set({ passwordHash: rehash }).where(eq(users.id, found.id)).returning()) as [
          UserRow,
        ];
      const tokens = await this.sessions.open(tx, user, client);
      return { ...tokens, user };
    });
  }

  /** Rotates a refresh token. Replay within the grace window gets a fresh pair; later, the session dies. */
  async refresh(token: string | null | undefined): Promise<AuthResult> {
    if (!token) throw new UnauthenticatedError('No refresh token');
    const mails: Mail[] = [];
    const outcome = await this.app.db.transaction(async (tx) => {
      const [row] = await tx
        .select({ token: refreshTokens, session: sessions, user: users, now: dbNowMs })
        .from(refreshTokens)
        .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
        .innerJoin(users, eq(users.id, sessions.userId))
        .where(eq(refreshTokens.tokenHash, sha256(token)))
        .for('update', { of: [refreshTokens, sessions] });
      if (!row) return { error: new UnauthenticatedError('Invalid refresh token') };
      // The database's clock: rotatedAt and the expiries were written with it.
      const { session, user, now } = row;
      if (session.revokedAt || session.expiresAt.getTime() <= now || session.absoluteExpiresAt.getTime() <= now) {
        return { error: new UnauthenticatedError('Session has ended') };
      }
      if (user.suspendedAt) return { error: new SuspendedError(user.suspensionReason) };
      // The successor is derived from the token itself, so a token has exactly one successor: a
      // duplicate (two tabs, a retried request) gets that same one, never a second chain.
      const successor = successorOf(this.app.tokens.secret, token);
      const decision = rotationDecision(row.token.rotatedAt, now, this.app.config.REFRESH_REUSE_GRACE_S);
      if (decision === 'rotate') {
        // Compare-and-set under the row lock: only the first exchange marks the token rotated.
        const won = await tx
          .update(refreshTokens)
          .set({ rotatedAt: sql`now()` })
          .where(and(eq(refreshTokens.id, row.token.id), isNull(refreshTokens.rotatedAt)))
          .returning({ id: refreshTokens.id });
        if (won.length === 0) return { error: new UnauthenticatedError('Invalid refresh token') };
      } else if (decision === 'reuse') {
        await this.reuseDetected(tx, user, session.id, mails);
        return { error: new UnauthenticatedError('Refresh token reuse detected; the session was revoked') };
      } else {
        const [next] = await tx
          .select({ id: refreshTokens.id })
          .from(refreshTokens)
          .where(and(eq(refreshTokens.tokenHash, sha256(successor)), eq(refreshTokens.sessionId, session.id)));
        if (!next) return { error: new UnauthenticatedError('Invalid refresh token') };
      }
      const expiresAt = await this.sessions.touch(tx, session.id);
      const tokens = await this.sessions.issue(tx, user.id, session.id, expiresAt, successor, decision === 'replay');
      return { result: { ...tokens, user } };
    });
    await sendAll(this.app, mails);
    const failure: AppError | undefined = 'error' in outcome ? outcome.error : undefined;
    if (failure) throw failure;
    return (outcome as { result: AuthResult }).result;
  }

  private async reuseDetected(tx: Tx, user: UserRow, sessionId: string, mails: Mail[]): Promise<void> {
    await this.sessions.revoke(tx, eq(sessions.id, sessionId), 'reuse_detected');
    const what = 'A refresh token of one of your sessions was used twice, so that session was signed out.';
    await recordActivity(tx, {
      actorId: user.id,
      verb: 'session.reuse_detected',
      entityType: 'session',
      entityId: sessionId,
      summary: what,
    });
    await createNotifications(tx, [
      {
        userId: user.id,
        kind: 'SECURITY_ALERT',
        title: 'Session signed out for your safety',
        body: what,
        entityType: 'session',
        entityId: sessionId,
      },
    ]);
    mails.push(securityAlertMail(user.email, what));
  }

  /** Ends the session the refresh token belongs to. True when a live session was ended. */
  async logout(token: string | null | undefined): Promise<boolean> {
    if (!token) return false;
    return this.app.db.transaction(async (tx) => {
      const [row] = await tx
        .select({ sessionId: refreshTokens.sessionId, userId: sessions.userId })
        .from(refreshTokens)
        .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
        .where(eq(refreshTokens.tokenHash, sha256(token)));
      if (!row) return false;
      const ended = await this.sessions.revoke(tx, eq(sessions.id, row.sessionId), 'logout');
      if (ended.length === 0) return false;
      await recordActivity(tx, {
        actorId: row.userId,
        verb: 'session.logout',
        entityType: 'session',
        entityId: row.sessionId,
        summary: 'Signed out',
      });
      return true;
    });
  }
}
