import { dbNowPlus } from '../../shared/clock.js';
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { App } from '../../shared/app.js';
import type { Queryable } from '../../db/client.js';
import { emailTokens } from '../../db/schema/index.js';
import { InputError } from '../../shared/errors.js';
import type { Mail } from '../../shared/mailer.js';
import { randomToken, sha256 } from './tokens.js';

export type EmailTokenKind = 'VERIFY_EMAIL' | 'RESET_PASSWORD';
const TTL_S: Record<EmailTokenKind, number> = { VERIFY_EMAIL: 24 * 3_600, RESET_PASSWORD: 3_600 };

/** A single-use token, stored hashed; earlier unused tokens of the same kind stop working. */
export async function createEmailToken(tx: Queryable, userId: string, kind: EmailTokenKind): Promise<string> {
  await revokeEmailTokens(tx, userId, kind);
  const token = randomToken();
  await tx.insert(emailTokens).values({ userId, kind, tokenHash: sha256(token), expiresAt: dbNowPlus(TTL_S[kind]) });
  return token;
}

/** Ends every outstanding token of that kind (a password change or reset ends the reset links). */
export async function revokeEmailTokens(tx: Queryable, userId: string, kind: EmailTokenKind): Promise<void> {
  await tx
    .update(emailTokens)
    .set({ usedAt: sql`now()` })
    .where(and(eq(emailTokens.userId, userId), eq(emailTokens.kind, kind), isNull(emailTokens.usedAt)));
}

/** Marks the token used and returns its user; unknown, used or expired → BAD_USER_INPUT. */
export async function consumeEmailToken(tx: Queryable, token: string, kind: EmailTokenKind): Promise<string> {
  const [row] = await tx
    .update(emailTokens)
    .set({ usedAt: sql`now()` })
    .where(
      and(
        eq(emailTokens.tokenHash, sha256(token)),
        eq(emailTokens.kind, kind),
        isNull(emailTokens.usedAt),
        gt(emailTokens.expiresAt, sql`now()`),
      ),
    )
    .returning({ userId: emailTokens.userId });
  if (!row) throw new InputError({ token: 'This link is invalid, used or expired' });
  return row.userId;
}

export function verificationMail(app: App, to: string, token: string): Mail {
  const link = `${app.config.APP_URL}/verify-email?token=${encodeURIComponent(token)}`;
  return {
    kind: 'verify-email',
    to,
    subject: 'Confirm your email for Orbit',
    text: `Confirm your email address by opening this link (valid for 24 hours):\n\n${link}\n\nToken: ${token}\n`,
    html: `<p>Confirm your email address (valid for 24 hours):</p><p><a href="${link}">${link}</a></p>`,
  };
}

export function resetMail(app: App, to: string, token: string): Mail {
  const link = `${app.config.APP_URL}/reset-password?token=${encodeURIComponent(token)}`;
  return {
    kind: 'reset-password',
    to,
    subject: 'Reset your Orbit password',
    text: `Someone asked to reset your password. If it was you, open this link (valid for 1 hour):\n\n${link}\n\nToken: ${token}\n`,
    html: `<p>Reset your password (valid for 1 hour):</p><p><a href="${link}">${link}</a></p>`,
  };
}

export function securityAlertMail(to: string, what: string): Mail {
  return {
    kind: 'security-alert',
    to,
    subject: 'Security alert for your Orbit account',
    text: `${what}\n\nIf this was not you, change your password and review your sessions.\n`,
  };
}
