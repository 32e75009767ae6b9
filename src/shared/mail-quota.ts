import { sql } from 'drizzle-orm';
import { type Queryable, execRows } from '../db/client.js';

export interface MailQuotaLimits {
  /** Emails one user may cause to be sent in a window, to anyone. */
  perUser: number;
  /** Emails one user may cause to be sent to one address in a window. */
  perRecipient: number;
  windowSeconds: number;
}

/**
 * How many emails a user causes other people to receive (invitations, shares): counted per sender
 * and per (sender, recipient) in the shared rate_limits table, inside the transaction that decides
 * on the emails, so a rolled-back action counts nothing. An email over either limit is not sent;
 * what it announced is still stored.
 */
export class MailQuota {
  constructor(private readonly limits: MailQuotaLimits) {}

  /** Takes one email to `recipient` from the sender's quota; false when it must not be sent. */
  async take(q: Queryable, senderId: string, recipient: string): Promise<boolean> {
    if (!(await this.count(q, `mail:to:${senderId}:${recipient}`, this.limits.perRecipient))) return false;
    return this.count(q, `mail:from:${senderId}`, this.limits.perUser);
  }

  /** Of the recipients, those whose email may be sent, in order; the rest are held back. */
  async filter(q: Queryable, senderId: string, recipients: string[]): Promise<{ send: string[]; held: string[] }> {
    const send: string[] = [];
    const held: string[] = [];
    for (const to of recipients) ((await this.take(q, senderId, to)) ? send : held).push(to);
    return { send, held };
  }

  private async count(q: Queryable, key: string, limit: number): Promise<boolean> {
    const [row] = await execRows<{ count: number }>(
      q,
      sql`insert into rate_limits (key, count, reset_at)
          values (${key}, 1, now() + make_interval(secs => ${this.limits.windowSeconds}))
          on conflict (key) do update set
            count = case when rate_limits.reset_at <= now() then 1 else least(rate_limits.count, ${limit}) + 1 end,
            reset_at = case when rate_limits.reset_at <= now() then excluded.reset_at else rate_limits.reset_at end
          returning count`,
    );
    return Number(row?.count ?? 0) <= limit;
  }
}

/** The quota of a server's configuration. */
export function mailQuota(config: { USER_EMAIL_LIMIT: number; USER_EMAIL_PER_RECIPIENT_LIMIT: number; USER_EMAIL_WINDOW_S: number }): MailQuota {
  return new MailQuota({ perUser: config.USER_EMAIL_LIMIT, perRecipient: config.USER_EMAIL_PER_RECIPIENT_LIMIT, windowSeconds: config.USER_EMAIL_WINDOW_S });
}

/** The words of the notification that tells a sender which emails were held back. */
export function heldMessage(what: string, held: string[], limits: { USER_EMAIL_LIMIT: number; USER_EMAIL_PER_RECIPIENT_LIMIT: number; USER_EMAIL_WINDOW_S: number }) {
  const hours = Math.round((limits.USER_EMAIL_WINDOW_S / 3600) * 10) / 10;
  const shown = held.slice(0, 10).join(', ') + (held.length > 10 ? ` and ${held.length - 10} more` : '');
  return {
    title: `${held.length} ${what} email${held.length === 1 ? ' was' : 's were'} not sent`,
    body: `Email limit reached (${limits.USER_EMAIL_LIMIT} emails in all and ${limits.USER_EMAIL_PER_RECIPIENT_LIMIT} to one address per ${hours} h). Not emailed: ${shown}. Everything else was saved; they see it when they sign in.`,
  };
}
