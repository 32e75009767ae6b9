import type { Queryable } from '../db/client.js';
import { RateLimiter } from './rate-limit.js';

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
    return (await this.filter(q, senderId, [recipient])).send.length === 1;
  }

  /**
   * Of the (distinct) recipients, those whose email may be sent, in order; the rest are held back.
   * Two statements however many recipients: their per-recipient counters, then the sender's.
   */
  async filter(q: Queryable, senderId: string, recipients: string[]): Promise<{ send: string[]; held: string[] }> {
    const counters = new RateLimiter(q);
    const { perUser, perRecipient, windowSeconds } = this.limits;
    const perAddress = await counters.count(
      recipients.map((to) => `mail:to:${senderId}:${to}`),
      windowSeconds,
    );
    const open = recipients.filter((_, i) => perAddress[i]!.count <= perRecipient);
    let allowed = 0;
    if (open.length) {
      const [sender] = await counters.count([`mail:from:${senderId}`], windowSeconds, open.length);
      allowed = Math.max(0, perUser - (sender!.count - open.length));
    }
    const send = open.slice(0, allowed);
    return { send, held: recipients.filter((to) => !send.includes(to)) };
  }
}

/** The quota of a server's configuration. */
export function mailQuota(config: {
  USER_EMAIL_LIMIT: number;
  USER_EMAIL_PER_RECIPIENT_LIMIT: number;
  USER_EMAIL_WINDOW_S: number;
}): MailQuota {
  return new MailQuota({
    perUser: config.USER_EMAIL_LIMIT,
    perRecipient: config.USER_EMAIL_PER_RECIPIENT_LIMIT,
    windowSeconds: config.USER_EMAIL_WINDOW_S,
  });
}

/** The words of the notification that tells a sender which emails were held back. */
export function heldMessage(
  what: string,
  held: string[],
  limits: { USER_EMAIL_LIMIT: number; USER_EMAIL_PER_RECIPIENT_LIMIT: number; USER_EMAIL_WINDOW_S: number },
) {
  const hours = Math.round((limits.USER_EMAIL_WINDOW_S / 3600) * 10) / 10;
  const shown = held.slice(0, 10).join(', ') + (held.length > 10 ? ` and ${held.length - 10} more` : '');
  return {
    title: `${held.length} ${what} email${held.length === 1 ? ' was' : 's were'} not sent`,
    body: `Email limit reached (${limits.USER_EMAIL_LIMIT} emails in all and ${limits.USER_EMAIL_PER_RECIPIENT_LIMIT} to one address per ${hours} h). Not emailed: ${shown}. Everything else was saved; they see it when they sign in.`,
  };
}
