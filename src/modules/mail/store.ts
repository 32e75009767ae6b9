import { and, eq, sql } from 'drizzle-orm';
import type { Tx } from '../../db/client.js';
import { execRows } from '../../db/client.js';
import { emailAttachments, emailMessages, mailThreads } from '../../db/schema/index.js';
import { createNotifications } from '../notifications/index.js';
import type { ParsedMail } from './parse.js';

export interface StoreTarget {
  accountId: string;
  userId: string;
  folderId: string;
  attachmentMax: number;
}

/** A subject without reply and forward prefixes, for the last-resort thread match. */
export function subjectKey(subject: string): string {
  return subject
    .replace(/^(\s*(re|fw|fwd|aw|sv|vs)\s*(\[\d+\])?\s*:\s*)+/i, '')
    .trim()
    .toLowerCase();
}

/**
 * The thread of a message: the thread of any message it refers to (References, In-Reply-To), or of
 * a message that refers to it; else, as a last resort, a thread with the same subject among the same
 * people in the last 30 days; else a new one.
 */
async function threadFor(tx: Tx, t: StoreTarget, m: ParsedMail, receivedAt: Date): Promise<string> {
  const refs = [...new Set([...m.references, ...(m.inReplyTo ? [m.inReplyTo] : [])])];
  if (refs.length) {
    const [hit] = await execRows<{ id: string }>(
      tx,
      sql`select thread_id as id from email_messages where account_id = ${t.accountId} and message_id = any(${sql.param(refs)}::text[]) limit 1`,
    );
    if (hit) return hit.id;
  }
  if (m.messageId) {
    const [child] = await execRows<{ id: string }>(
      tx,
      sql`select thread_id as id from email_messages where account_id = ${t.accountId} and (in_reply_to = ${m.messageId} or "references" ? ${m.messageId}) limit 1`,
    );
    if (child) return child.id;
  }
  const key = subjectKey(m.subject);
  const people = [...new Set([m.from.address, ...m.to.map((a) => a.address), ...m.cc.map((a) => a.address)])];
  if (key && refs.length === 0) {
    const [same] = await execRows<{ id: string }>(
      tx,
      sql`select t.id from mail_threads t where t.account_id = ${t.accountId} and t.subject_key = ${key} and t.last_message_at > ${receivedAt.toISOString()}::timestamptz - interval '30 days'
          and exists (select 1 from email_messages o where o.thread_id = t.id and o.from_address = any(${sql.param(people)}::text[])) order by t.last_message_at desc limit 1`,
    );
    if (same) return same.id;
  }
  const [made] = await tx
    .insert(mailThreads)
    .values({
      accountId: t.accountId,
      userId: t.userId,
      subject: m.subject,
      subjectKey: key,
      lastMessageAt: receivedAt,
    })
    .returning({ id: mailThreads.id });
  return made!.id;
}

/**
 * Stores one message with its attachments (those over the size limit listed, not stored) in its
 * thread; a UID already stored is left alone, so a sync run twice stores nothing twice. Returns the
 * new message's id, or null when it was there already.
 */
export async function storeMessage(
  tx: Tx,
  t: StoreTarget,
  uid: number,
  m: ParsedMail,
  receivedAt: Date,
  seen: boolean,
  notify: boolean,
): Promise<string | null> {
  const [exists] = await tx
    .select({ id: emailMessages.id })
    .from(emailMessages)
    .where(and(eq(emailMessages.folderId, t.folderId), eq(emailMessages.uid, uid)));
  if (exists) return null;
  const threadId = await threadFor(tx, t, m, receivedAt);
  const [row] = await tx
    .insert(emailMessages)
    .values({
      accountId: t.accountId,
      userId: t.userId,
      folderId: t.folderId,
      threadId,
      uid,
      messageId: m.messageId,
      inReplyTo: m.inReplyTo,
      references: m.references,
      subject: m.subject,
      fromName: m.from.name,
      fromAddress: m.from.address,
      to: m.to,
      cc: m.cc,
      sentAt: m.sentAt,
      receivedAt,
      snippet: m.snippet,
      text: m.text,
      html: m.html,
      seen,
      partial: m.partial,
    })
    .returning({ id: emailMessages.id });
  await tx
    .update(mailThreads)
    .set({
      lastMessageAt: sql`greatest(${mailThreads.lastMessageAt}, ${receivedAt.toISOString()}::timestamptz)`,
    })
    .where(eq(mailThreads.id, threadId));
  if (m.attachments.length) {
    await tx.insert(emailAttachments).values(
      m.attachments.map((a) => ({
        emailId: row!.id,
        userId: t.userId,
        filename: a.filename.slice(0, 255),
        contentType: a.contentType.slice(0, 200),
        size: a.content.length,
        content: a.content.length <= t.attachmentMax ? a.content : null,
      })),
    );
  }
  if (notify) {
    await createNotifications(tx, [
      {
        userId: t.userId,
        kind: 'EMAIL_RECEIVED',
        title: `New email from ${m.from.name ?? m.from.address}`,
        body: m.subject,
        entityType: 'email',
        entityId: row!.id,
      },
    ]);
  }
  return row!.id;
}
