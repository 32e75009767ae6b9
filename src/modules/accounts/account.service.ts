import { and, eq, isNull, sql } from 'drizzle-orm';
import { type App, sendAll } from '../../shared/app.js';
import type { Tx } from '../../db/client.js';
import { users } from '../../db/schema/index.js';
import { ConflictError, FieldProblems, InputError, NotFoundError, isUniqueViolation } from '../../shared/errors.js';
import type { Mail } from '../../shared/mailer.js';
import { RateLimiter } from '../../shared/rate-limit.js';
import { recordActivity } from '../activity/index.js';
import { announce } from './viewer-cache.js';
import type { UpdateProfileInput } from './auth.inputs.js';
import { consumeEmailToken, createEmailToken, resetMail, revokeEmailTokens, verificationMail } from './email-tokens.js';
import { passwordProblem } from './passwords.js';
import type { SessionsService } from './sessions.service.js';
import type { UserRow } from '../users/index.js';
import type { Viewer } from '../../shared/viewer.js';
import { checkEmail, checkName, checkTimezone, checkUsername, normalizeEmail } from '../../shared/validation.js';

/** The signed-in user's own account: profile, password, email flows, deletion. */
export class AccountService {
  private readonly limiter: RateLimiter;

  constructor(
    private readonly app: App,
    private readonly sessions: SessionsService,
    private readonly onDelete: Array<(tx: Tx, userId: string) => Promise<void>> = [],
  ) {
    this.limiter = new RateLimiter(app.db);
  }

  async byId(id: string): Promise<UserRow> {
    const [user] = await this.app.db.select().from(users).where(eq(users.id, id));
    if (!user) throw new NotFoundError('User');
    return user;
  }

  async updateProfile(viewer: Viewer, input: UpdateProfileInput): Promise<UserRow> {
    const p = new FieldProblems();
    const username = input.username === undefined ? undefined : input.username?.trim() || null;
    checkUsername(p, username);
    checkName(p, input.name);
    if (input.timezone === null) p.add('timezone', 'Timezone cannot be empty');
    checkTimezone(p, input.timezone);
    p.throwIfAny();
    const changes: Partial<typeof users.$inferInsert> = { updatedAt: new Date() };
    if (input.name !== undefined) changes.name = input.name?.trim() || null;
    if (username !== undefined) changes.username = username;
    if (input.timezone) changes.timezone = input.timezone;
    return this.app.db
      .transaction(async (tx) => {
        const [user] = await tx.update(users).set(changes).where(eq(users.id, viewer.userId)).returning();
        await announce(this.app, tx, { topic: 'user.changed', userId: viewer.userId });
        await recordActivity(tx, {
          actorId: viewer.userId,
          verb: 'user.updated',
          entityType: 'user',
          entityId: viewer.userId,
          summary: 'Updated the profile',
        });
        return user!;
      })
      .catch((error: unknown) => {
        if (isUniqueViolation(error, 'users_username_key'))
          throw new ConflictError('This username is taken', 'username');
        throw error;
      });
  }

  /** Keeps the current session and ends every other one. */
  async changePassword(viewer: Viewer, currentPassword: string, newPassword: string): Promise<boolean> {
    const user = await this.byId(viewer.userId);
    await this.verifyPassword(user, currentPassword, 'currentPassword', 'Current password is wrong');
    const problem = passwordProblem(newPassword, [user.email, user.username]);
    if (problem) throw new InputError({ newPassword: problem });
    const hash = await this.app.passwords.hash(newPassword);
    await this.app.db.transaction(async (tx) => {
      await tx.update(users).set({ passwordHash: hash, updatedAt: new Date() }).where(eq(users.id, user.id));
      await revokeEmailTokens(tx, user.id, 'RESET_PASSWORD');
      await this.sessions.revokeAll(tx, user.id, 'password_changed', viewer.sessionId);
      await announce(this.app, tx, { topic: 'user.signout', userId: user.id });
      await recordActivity(tx, {
        actorId: user.id,
        verb: 'user.password_changed',
        entityType: 'user',
        entityId: user.id,
        summary: 'Changed the password',
      });
    });
    return true;
  }

  /**
   * Checks the account's password for a sensitive change. Wrong guesses count with the account's
   * failed logins, so this is no way around the login limit: past it, RATE_LIMITED with retryAfter.
   */
  private async verifyPassword(user: UserRow, password: string, field: string, message: string): Promise<void> {
    const key = `login:fail:${user.id}`;
    const window = { seconds: this.app.config.LOGIN_FAILURE_WINDOW_S, limit: this.app.config.LOGIN_MAX_FAILURES };
    await this.limiter.check(key, window);
    if (!(await this.app.passwords.verify(user.passwordHash, password))) {
      await this.limiter.record(key, window);
      throw new InputError({ [field]: message });
    }
  }

  async verifyEmail(token: string): Promise<UserRow> {
    return this.app.db.transaction(async (tx) => {
      const userId = await consumeEmailToken(tx, token, 'VERIFY_EMAIL');
      const [user] = await tx
        .update(users)
        .set({ emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())` })
        .where(eq(users.id, userId))
        .returning();
      await announce(this.app, tx, { topic: 'user.changed', userId });
      await recordActivity(tx, {
        actorId: userId,
        verb: 'user.email_verified',
        entityType: 'user',
        entityId: userId,
        summary: 'Verified the email address',
      });
      return user!;
    });
  }

  /** True whether or not the address has an account: the answer reveals nothing. */
  async resendVerification(rawEmail: string): Promise<boolean> {
    return this.emailFlow(rawEmail, 'verify', async (user) => {
      if (user.emailVerifiedAt) return null;
      const token = await createEmailToken(this.app.db, user.id, 'VERIFY_EMAIL');
      return verificationMail(this.app, user.email, token);
    });
  }

  async requestPasswordReset(rawEmail: string): Promise<boolean> {
    return this.emailFlow(rawEmail, 'reset', async (user) => {
      const token = await createEmailToken(this.app.db, user.id, 'RESET_PASSWORD');
      return resetMail(this.app, user.email, token);
    });
  }

  private async emailFlow(
    rawEmail: string,
    kind: string,
    make: (user: UserRow) => Promise<Mail | null>,
  ): Promise<boolean> {
    const email = normalizeEmail(rawEmail);
    const p = new FieldProblems();
    checkEmail(p, email);
    p.throwIfAny();
    // Counted per address whether or not it has an account, so the limit reveals nothing either.
    await this.limiter.hit(`email:${kind}:${email}`, {
      limit: this.app.config.EMAIL_SEND_LIMIT,
      seconds: this.app.config.EMAIL_SEND_WINDOW_S,
    });
    const [user] = await this.app.db
      .select()
      .from(users)
      .where(and(eq(users.email, email), isNull(users.suspendedAt)));
    const mail = user ? await make(user) : null;
    if (mail) await sendAll(this.app, [mail]);
    return true;
  }

  /** Sets the new password and ends every session of the user, in one transaction. */
  async resetPassword(token: string, newPassword: string): Promise<boolean> {
    if ([...newPassword].length < 8 || [...newPassword].length > 256)
      throw new InputError({ newPassword: passwordProblem(newPassword, [])! });
    // Hashed before the transaction so no row lock is held while argon2 runs.
    const hash = await this.app.passwords.hash(newPassword);
    const userId = await this.app.db.transaction(async (tx) => {
      const id = await consumeEmailToken(tx, token, 'RESET_PASSWORD');
      const [u] = await tx.select().from(users).where(eq(users.id, id)).for('update');
      const problem = passwordProblem(newPassword, [u!.email, u!.username]);
      if (problem) throw new InputError({ newPassword: problem });
      await tx
        .update(users)
        .set({
          passwordHash: hash,
          emailVerifiedAt: sql`coalesce(${users.emailVerifiedAt}, now())`,
          updatedAt: new Date(),
        })
        .where(eq(users.id, id));
      await revokeEmailTokens(tx, id, 'RESET_PASSWORD');
      await this.sessions.revokeAll(tx, id, 'password_reset');
      await announce(this.app, tx, { topic: 'user.changed', userId: id });
      await recordActivity(tx, {
        actorId: id,
        verb: 'user.password_reset',
        entityType: 'user',
        entityId: id,
        summary: 'Reset the password',
      });
      return id;
    });
    await this.limiter.reset(`login:fail:${userId}`);
    return true;
  }

  /** Removes the user and, through foreign keys, everything they own. */
  async deleteAccount(viewer: Viewer, password: string): Promise<boolean> {
    const user = await this.byId(viewer.userId);
    await this.verifyPassword(user, password, 'password', 'Password is wrong');
    await this.app.db.transaction(async (tx) => {
      // Locked first: a concurrent write that references the user (a task, a share) waits for this
      // transaction and then fails its foreign key, instead of slipping in between the hooks.
      await tx.select({ id: users.id }).from(users).where(eq(users.id, user.id)).for('update');
      await this.sessions.revokeAll(tx, user.id, 'revoked');
      for (const hook of this.onDelete) await hook(tx, user.id);
      await announce(this.app, tx, { topic: 'user.signout', userId: user.id });
      await tx.delete(users).where(eq(users.id, user.id));
    });
    return true;
  }
}
