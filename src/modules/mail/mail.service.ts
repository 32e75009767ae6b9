import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { emailMessages, mailAccounts, mailFolders, mailThreads, relations } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import { FieldProblems, InputError, NotFoundError } from '../../shared/errors.js';
import { parseId, validIds } from '../../shared/ids.js';
import { type Connection, countWhere, cursorCast, keysetPage, pageRequest } from '../../shared/pagination.js';
import type { Viewer } from '../../shared/viewer.js';
import { TaskService } from '../tasks/index.js';
import { mailPolicy } from './hosts.js';
import { closeImap, openImap, untilAborted } from './imap.js';
import type { EmailRow, ThreadRow } from './mail.type.js';
import { imapSettingsOf } from './sync.js';

/** Reading mail: threads, messages, the \Seen flag both ways, and tasks made from an email. */
export class MailService {
  constructor(private readonly app: App) {}

  async threads(
    viewer: Viewer,
    accountId: string | null | undefined,
    search: string | null | undefined,
    unreadOnly: boolean | null | undefined,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<Connection<ThreadRow>> {
    const page = pageRequest(first, after);
    const term = search?.trim();
    new FieldProblems()
      .check(!term || term.length <= 500, 'search', 'The search is at most 500 characters')
      .throwIfAny();
    const scope = and(
      eq(mailThreads.userId, viewer.userId),
      accountId ? eq(mailThreads.accountId, parseId(accountId, 'Mail account')) : undefined,
      unreadOnly
        ? sql`exists (select 1 from email_messages m where m.thread_id = ${mailThreads.id} and not m.seen)`
        : undefined,
      term
        ? sql`exists (select 1 from email_messages m where m.thread_id = ${mailThreads.id} and m.search @@ websearch_to_tsquery('english', ${term}))`
        : undefined,
    )!;
    return keysetPage(
      page,
      {
        expr: mailThreads.lastMessageAt,
        id: mailThreads.id,
        dir: 'DESC',
        cast: cursorCast.timestamptz,
        cursorOf: (r) => [r.lastMessageAt.toISOString(), r.id],
      },
      (past, order, limit) =>
        this.app.db
          .select()
          .from(mailThreads)
          .where(and(scope, past))
          .orderBy(...order)
          .limit(limit),
      () => countWhere(this.app.db, mailThreads, scope),
    );
  }

  async thread(viewer: Viewer, id: string): Promise<ThreadRow> {
    const [row] = await this.app.db
      .select()
      .from(mailThreads)
      .where(and(eq(mailThreads.id, parseId(id, 'Thread')), eq(mailThreads.userId, viewer.userId)));
    if (!row) throw new NotFoundError('Thread');
    return row;
  }

  async message(viewer: Viewer, id: string, q: Db = this.app.db): Promise<EmailRow> {
    const [row] = await q
      .select()
      .from(emailMessages)
      .where(and(eq(emailMessages.id, parseId(id, 'Email')), eq(emailMessages.userId, viewer.userId)));
    if (!row) throw new NotFoundError('Email');
    return row;
  }

  /** Marks messages seen or unseen here and on the IMAP server; returns how many changed. */
  async setSeen(viewer: Viewer, ids: string[], seen: boolean): Promise<number> {
    const wanted = validIds(ids);
    if (wanted.length === 0) return 0;
    const changed = await this.app.db
      .update(emailMessages)
      .set({ seen })
      .where(
        and(
          inArray(emailMessages.id, wanted),
          eq(emailMessages.userId, viewer.userId),
          sql`${emailMessages.seen} <> ${seen}`,
        ),
      )
      .returning({ accountId: emailMessages.accountId, folderId: emailMessages.folderId, uid: emailMessages.uid });
    const byFolder = new Map<string, { accountId: string; uids: number[] }>();
    for (const c of changed) {
      const f = byFolder.get(c.folderId) ?? { accountId: c.accountId, uids: [] };
      f.uids.push(c.uid);
      byFolder.set(c.folderId, f);
    }
    for (const [folderId, f] of byFolder) {
      const [account] = await this.app.db.select().from(mailAccounts).where(eq(mailAccounts.id, f.accountId));
      const [folder] = await this.app.db.select().from(mailFolders).where(eq(mailFolders.id, folderId));
      // Connect and the flag change share one deadline.
      const deadline = AbortSignal.timeout(this.app.config.MAIL_CONNECT_TIMEOUT_MS * 2);
      const client = await openImap(imapSettingsOf(this.app, account!), mailPolicy(this.app.config), deadline);
      try {
        await untilAborted(client.mailboxOpen(folder!.path), deadline);
        if (seen) await untilAborted(client.messageFlagsAdd(f.uids.join(','), ['\\Seen'], { uid: true }), deadline);
        else await untilAborted(client.messageFlagsRemove(f.uids.join(','), ['\\Seen'], { uid: true }), deadline);
      } finally {
        await closeImap(client);
      }
    }
    return changed.length;
  }

  /** A task whose notes link the email, and a `created_from` relation, in one transaction. */
  async createTask(viewer: Viewer, emailId: string, listId: string) {
    const email = await this.message(viewer, emailId);
    return this.app.db.transaction(async (tx) => {
      const tasks = new TaskService({ ...this.app, db: tx });
      const from = email.fromName ? `${email.fromName} <${email.fromAddress}>` : email.fromAddress;
      const task = await tasks.create(
        viewer,
        {
          listId,
          title: email.subject.slice(0, 500),
          notes: `From the email “${email.subject}” by ${from} (orbit:email/${email.id}):\n\n${email.snippet}`,
        },
        { foreignText: true },
      );
      const max = this.app.config.RELATIONS_MAX;
      if ((await countWhere(tx, relations, eq(relations.userId, viewer.userId))) >= max)
        throw new InputError({ emailId: `At most ${max} links between items; remove some first` });
      await tx.insert(relations).values({
        userId: viewer.userId,
        fromType: 'TASK',
        fromId: task.id,
        toType: 'EMAIL',
        toId: email.id,
        kind: 'created_from',
      });
      return task;
    });
  }
}
