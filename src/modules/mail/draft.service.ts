import { createHash, randomUUID } from 'node:crypto';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { emailDrafts, emailMessages, mailAccounts } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import { countWhere } from '../../shared/pagination.js';
import { ConflictError, FieldProblems, InputError, NotFoundError, RateLimitedError } from '../../shared/errors.js';
import { parseId } from '../../shared/ids.js';
import { mailQuota } from '../../shared/mail-quota.js';
import type { Viewer } from '../../shared/viewer.js';
import type { DraftInput, DraftRow } from './mail.type.js';

const EMAIL = /^[^\s@<>,]+@[^\s@<>,]+$/;

/** Drafts: saved, replaced, deleted, and sent by the `mail-send` job. Mail Orbit sends for a user (ticket replies, `purpose` set) is not theirs to list or edit. */
export class DraftService {
  constructor(private readonly app: App) {}

  list(viewer: Viewer): Promise<DraftRow[]> {
    return this.app.db
      .select()
      .from(emailDrafts)
      .where(and(eq(emailDrafts.userId, viewer.userId), isNull(emailDrafts.purpose)))
      .orderBy(desc(emailDrafts.updatedAt))
      .limit(200);
  }

  async get(viewer: Viewer, id: string): Promise<DraftRow> {
    const [row] = await this.app.db
      .select()
      .from(emailDrafts)
      .where(
        and(
          eq(emailDrafts.id, parseId(id, 'Draft')),
          eq(emailDrafts.userId, viewer.userId),
          isNull(emailDrafts.purpose),
        ),
      );
    if (!row) throw new NotFoundError('Draft');
    return row;
  }

  /** Creates a draft (no id) or replaces one that was not sent. */
  async save(viewer: Viewer, id: string | null | undefined, input: DraftInput): Promise<DraftRow> {
    const to = input.to.map((a) => a.trim().toLowerCase()).filter(Boolean);
    const cc = (input.cc ?? []).map((a) => a.trim().toLowerCase()).filter(Boolean);
    const p = new FieldProblems();
    p.check(to.length >= 1 && to.length <= 50 && to.every((a) => EMAIL.test(a)), 'to', 'Give 1-50 email addresses');
    p.check(cc.length <= 50 && cc.every((a) => EMAIL.test(a)), 'cc', 'At most 50 email addresses');
    p.check(input.subject.length <= 500, 'subject', 'The subject is at most 500 characters');
    p.check(input.text.length <= 200_000, 'text', 'The text is at most 200,000 characters');
    p.throwIfAny();
    const [account] = await this.app.db
      .select({ id: mailAccounts.id })
      .from(mailAccounts)
      .where(
        and(eq(mailAccounts.id, parseId(input.accountId, 'Mail account')), eq(mailAccounts.userId, viewer.userId)),
      );
    if (!account) throw new NotFoundError('Mail account');
    let inReplyToId: string | null = null;
    if (input.inReplyToId) {
      const [m] = await this.app.db
        .select({ id: emailMessages.id })
        .from(emailMessages)
        .where(and(eq(emailMessages.id, parseId(input.inReplyToId, 'Email')), eq(emailMessages.userId, viewer.userId)));
      if (!m) throw new NotFoundError('Email');
      inReplyToId = m.id;
    }
    const values = {
      accountId: account.id,
      userId: viewer.userId,
      to,
      cc,
      subject: input.subject,
      text: input.text,
      inReplyToId,
      updatedAt: new Date(),
    };
    if (!id) {
      const max = this.app.config.MAIL_DRAFTS_MAX;
      if (
        (await countWhere(
          this.app.db,
          emailDrafts,
          and(eq(emailDrafts.userId, viewer.userId), isNull(emailDrafts.purpose)),
        )) >= max
      )
        throw new InputError({ id: `At most ${max} drafts; send or delete some first` });
      return (await this.app.db.insert(emailDrafts).values(values).returning())[0]!;
    }
    const current = await this.get(viewer, id);
    if (current.status === 'QUEUED' || current.status === 'SENDING' || current.status === 'SENT')
      throw new ConflictError(`This draft is ${current.status} and can no longer change`, 'id');
    const [row] = await this.app.db
      .update(emailDrafts)
      .set({ ...values, status: 'DRAFT', error: null })
      .where(eq(emailDrafts.id, current.id))
      .returning();
    return row!;
  }

  async delete(viewer: Viewer, id: string): Promise<string> {
    const [row] = await this.app.db
      .delete(emailDrafts)
      .where(
        and(
          eq(emailDrafts.id, parseId(id, 'Draft')),
          eq(emailDrafts.userId, viewer.userId),
          sql`${emailDrafts.status} not in ('QUEUED', 'SENDING')`,
        ),
      )
      .returning({ id: emailDrafts.id });
    if (!row) {
      await this.get(viewer, id);
      throw new ConflictError('This draft is being sent', 'id');
    }
    return row.id;
  }

  /**
   * QUEUED, with its Message-ID fixed now (a retry sends the same message), and a `mail-send` job;
   * the per-user outgoing-mail limits count its recipients. A SENT draft: CONFLICT.
   */
  async send(viewer: Viewer, id: string, expectedDigest: string | null = null): Promise<DraftRow> {
    const draft = await this.get(viewer, id);
    if (draft.status === 'SENT') throw new ConflictError('This draft was sent already', 'id');
    if (draft.status === 'QUEUED' || draft.status === 'SENDING') return draft;
    const [account] = await this.app.db.select().from(mailAccounts).where(eq(mailAccounts.id, draft.accountId));
    if (!account?.smtpHost)
      throw new InputError({
        accountId: 'This account has no SMTP server: reconnect it with smtpHost and smtpPort to send',
      });
    return this.app.db.transaction(async (tx) => {
      if (expectedDigest !== null) {
        // An approved send: the draft is locked and must still be the version the person approved.
        const [now] = await tx.select().from(emailDrafts).where(eq(emailDrafts.id, draft.id)).for('update');
        if (!now || draftDigest(now) !== expectedDigest)
          throw new ConflictError('The draft changed after its sending was approved: ask again', 'draftId');
      }
      const { held } = await mailQuota(this.app.config).filter(tx, viewer.userId, [
        ...new Set([...draft.to, ...draft.cc]),
      ]);
      if (held.length) throw new RateLimitedError(this.app.config.USER_EMAIL_WINDOW_S);
      const domain = account.email.split('@')[1] ?? 'orbit.local';
      const [row] = await tx
        .update(emailDrafts)
        .set({
          status: 'QUEUED',
          error: null,
          messageIdHeader: draft.messageIdHeader ?? `<${randomUUID()}@${domain}>`,
          updatedAt: new Date(),
        })
        .where(eq(emailDrafts.id, draft.id))
        .returning();
      await this.app.jobs.send(tx, 'mail-send', `mail-send:${draft.id}`, { draftId: draft.id }, viewer.userId);
      return row!;
    });
  }
}

/** The SHA-256 of what a draft would send (recipients, subject, text): what an approval of send_email is for. */
export function draftDigest(d: Pick<DraftRow, 'to' | 'cc' | 'subject' | 'text'>): string {
  return createHash('sha256')
    .update(JSON.stringify([d.to, d.cc, d.subject, d.text]))
    .digest('hex');
}
