import DataLoader from 'dataloader';
import { asc, getTableColumns, sql } from 'drizzle-orm';
import { type Db, execRows } from '../../db/client.js';
import { emailAttachments, emailMessages, mailAccounts, mailFolders, mailThreads } from '../../db/schema/index.js';
import { anyId } from '../../db/sql.js';
import type { AccountRow, AttachmentRow, EmailRow, ThreadRow } from './mail.type.js';

type Address = { name: string | null; address: string };
export interface ThreadStats {
  messageCount: number;
  unreadCount: number;
  participants: Address[];
}

const byKey = <K, T>(keys: readonly K[], rows: T[], key: (r: T) => K) => {
  const map = new Map(rows.map((r) => [key(r), r]));
  return keys.map((k) => map.get(k) ?? null);
};
const grouped = <T>(keys: readonly string[], rows: T[], key: (r: T) => string) => {
  const map = new Map<string, T[]>();
  for (const r of rows) map.set(key(r), [...(map.get(key(r)) ?? []), r]);
  return keys.map((k) => map.get(k) ?? []);
};

/** Mail's relations, batched per request: one statement per relation whatever the number of rows. */
export function createMailLoaders(db: Db) {
  return {
    mailAccountById: new DataLoader<string, AccountRow | null>(async (ids) =>
      byKey(ids, await db.select().from(mailAccounts).where(anyId(mailAccounts.id, ids)), (r) => r.id),
    ),
    mailThreadById: new DataLoader<string, ThreadRow | null>(async (ids) =>
      byKey(ids, await db.select().from(mailThreads).where(anyId(mailThreads.id, ids)), (r) => r.id),
    ),
    folderPath: new DataLoader<string, string | null>(async (ids) =>
      byKey(
        ids,
        await db
          .select({ id: mailFolders.id, path: mailFolders.path })
          .from(mailFolders)
          .where(anyId(mailFolders.id, ids)),
        (r) => r.id,
      ).map((r) => r?.path ?? null),
    ),
    /** A thread's messages, oldest first by their Date header (else arrival), at most 500. */
    threadMessages: new DataLoader<string, EmailRow[]>(async (ids) => {
      const ranked = db
        .select({
          ...getTableColumns(emailMessages),
          n: sql<number>`row_number() over (partition by ${emailMessages.threadId} order by coalesce(${emailMessages.sentAt}, ${emailMessages.receivedAt}), ${emailMessages.receivedAt}, ${emailMessages.id})`.as(
            'n',
          ),
        })
        .from(emailMessages)
        .where(anyId(emailMessages.threadId, ids))
        .as('r');
      const rows = await db
        .select()
        .from(ranked)
        .where(sql`${ranked.n} <= 500`)
        .orderBy(ranked.threadId, ranked.n);
      return grouped(
        ids,
        rows.map(({ n: _n, ...m }) => m),
        (r) => r.threadId,
      );
    }),
    threadStats: new DataLoader<string, ThreadStats>(async (ids) => {
      const rows = await execRows<{ thread_id: string; messages: number; unread: number; people: Address[] }>(
        db,
        sql`select thread_id, count(*)::int as messages, count(*) filter (where not seen)::int as unread,
              (select coalesce(jsonb_agg(distinct jsonb_build_object('name', p.from_name, 'address', p.from_address)), '[]') from email_messages p where p.thread_id = m.thread_id) as people
            from email_messages m where thread_id = any(${sql.param([...ids])}::uuid[]) group by thread_id`,
      );
      const map = new Map(rows.map((r) => [r.thread_id, r]));
      return ids.map((id) => {
        const r = map.get(id);
        return {
          messageCount: Number(r?.messages ?? 0),
          unreadCount: Number(r?.unread ?? 0),
          participants: r?.people ?? [],
        };
      });
    }),
    accountMessageCount: new DataLoader<string, number>(async (ids) => {
      const rows = await execRows<{ account_id: string; n: number }>(
        db,
        sql`select account_id, count(*)::int as n from email_messages where account_id = any(${sql.param([...ids])}::uuid[]) group by account_id`,
      );
      const map = new Map(rows.map((r) => [r.account_id, Number(r.n)]));
      return ids.map((id) => map.get(id) ?? 0);
    }),
    attachmentsOf: new DataLoader<string, AttachmentRow[]>(async (ids) => {
      const rows = await db
        .select({
          id: emailAttachments.id,
          emailId: emailAttachments.emailId,
          userId: emailAttachments.userId,
          filename: emailAttachments.filename,
          contentType: emailAttachments.contentType,
          size: emailAttachments.size,
        })
        .from(emailAttachments)
        .where(anyId(emailAttachments.emailId, ids))
        .orderBy(asc(emailAttachments.id));
      return grouped(ids, rows, (r) => r.emailId);
    }),
    emailById: new DataLoader<string, EmailRow | null>(async (ids) =>
      byKey(ids, await db.select().from(emailMessages).where(anyId(emailMessages.id, ids)), (r) => r.id),
    ),
  };
}
export type MailLoaders = ReturnType<typeof createMailLoaders>;
