import { and, eq, ilike, or, sql } from 'drizzle-orm';
import type { App } from '../../shared/app.js';
import { users } from '../../db/schema/index.js';
import { containsPattern } from '../../db/sql.js';
import { ConflictError, FieldProblems, InputError, NotFoundError, isUniqueViolation } from '../../shared/errors.js';
import { parseId } from '../../shared/ids.js';
import { type Connection, countWhere, cursorCast, keysetPage, pageRequest } from '../../shared/pagination.js';
import { recordActivity } from '../activity/index.js';
import { announce } from './viewer-cache.js';
import type { SessionsService } from './sessions.service.js';
import { passwordProblem } from './passwords.js';
import type { Role, Tier, UserRow } from '../users/index.js';
import { checkEmail, normalizeEmail } from '../../shared/validation.js';
import type { Viewer } from '../../shared/viewer.js';

/** What admins do to other accounts. The resolver checks the ADMIN role. */
export class AdminService {
  constructor(
    private readonly app: App,
    private readonly sessions: SessionsService,
  ) {}

  async users(
    first: number | null | undefined,
    after: string | null | undefined,
    search: string | null | undefined,
  ): Promise<Connection<UserRow>> {
    const page = pageRequest(first, after);
    const term = search?.trim();
    const filter = term
      ? or(
          ilike(users.email, containsPattern(term)),
          ilike(users.username, containsPattern(term)),
          ilike(users.name, containsPattern(term)),
        )
      : undefined;
    return keysetPage(
      page,
      {
        expr: users.createdAt,
        id: users.id,
        dir: 'ASC',
        cast: cursorCast.timestamptz,
        cursorOf: (u) => [u.createdAt.toISOString(), u.id],
      },
      (past, order, limit) =>
        this.app.db
          .select()
          .from(users)
          .where(and(filter, past))
          .orderBy(...order)
          .limit(limit),
      () => countWhere(this.app.db, users, filter),
    );
  }

  async suspend(admin: Viewer, id: string, reason: string): Promise<UserRow> {
    const userId = parseId(id, 'User');
    const text = reason.trim();
    new FieldProblems()
      .check(text.length >= 1 && text.length <= 500, 'reason', 'Reason must be 1-500 characters')
      .throwIfAny();
    if (userId === admin.userId) throw new InputError({ userId: 'You cannot suspend yourself' });
    return this.app.db.transaction(async (tx) => {
      const [user] = await tx
        .update(users)
        .set({ suspendedAt: sql`now()`, suspensionReason: text, updatedAt: new Date() })
        .where(eq(users.id, userId))
        .returning();
      if (!user) throw new NotFoundError('User');
      await this.sessions.revokeAll(tx, userId, 'suspended');
      await announce(this.app, tx, { topic: 'user.signout', userId });
      await recordActivity(tx, {
        actorId: admin.userId,
        verb: 'user.suspended',
        entityType: 'user',
        entityId: userId,
        summary: `Suspended ${user.email}: ${text}`,
      });
      return user;
    });
  }

  async unsuspend(admin: Viewer, id: string): Promise<UserRow> {
    return this.change(
      admin,
      id,
      { suspendedAt: null, suspensionReason: null },
      'user.unsuspended',
      (u) => `Lifted the suspension of ${u.email}`,
    );
  }

  /** Used by the command line (`user:create`): a user, optionally an admin, verified at once. */
  async createUser(input: { email: string; password: string; name?: string; admin?: boolean }): Promise<UserRow> {
    const email = normalizeEmail(input.email);
    const p = new FieldProblems();
    checkEmail(p, email);
    const problem = passwordProblem(input.password, [email]);
    if (problem) p.add('password', problem);
    p.throwIfAny();
    const passwordHash = await this.app.passwords.hash(input.password);
    return this.app.db.transaction(async (tx) => {
      const [user] = await tx
        .insert(users)
        .values({
          email,
          passwordHash,
          name: input.name ?? null,
          role: input.admin ? 'ADMIN' : 'USER',
          emailVerifiedAt: new Date(),
        })
        .returning()
        .catch((error: unknown) => {
          if (isUniqueViolation(error)) throw new ConflictError('This email is already registered', 'email');
          throw error;
        });
      await recordActivity(tx, {
        actorId: user!.id,
        verb: 'user.created',
        entityType: 'user',
        entityId: user!.id,
        summary: 'Account created from the command line',
      });
      return user!;
    });
  }

  async setRole(admin: Viewer, id: string, role: Role): Promise<UserRow> {
    if (id === admin.userId && (role as string) !== 'ADMIN')
      throw new InputError({ userId: 'You cannot remove your own admin role' });
    return this.change(admin, id, { role }, 'user.role_changed', (u) => `Set the role of ${u.email} to ${role}`);
  }

  async setTier(admin: Viewer, id: string, tier: Tier): Promise<UserRow> {
    return this.change(admin, id, { tier }, 'user.tier_changed', (u) => `Set the tier of ${u.email} to ${tier}`);
  }

  private async change(
    admin: Viewer,
    id: string,
    set: Partial<UserRow>,
    verb: string,
    summary: (u: UserRow) => string,
  ) {
    const userId = parseId(id, 'User');
    return this.app.db.transaction(async (tx) => {
      const [user] = await tx
        .update(users)
        .set({ ...set, updatedAt: new Date() })
        .where(eq(users.id, userId))
        .returning();
      if (!user) throw new NotFoundError('User');
      await announce(this.app, tx, { topic: 'user.changed', userId });
      await recordActivity(tx, {
        actorId: admin.userId,
        verb,
        entityType: 'user',
        entityId: userId,
        summary: summary(user),
      });
      return user;
    });
  }
}
