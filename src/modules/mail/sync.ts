import { and, eq, sql } from 'drizzle-orm';
import type { ImapFlow } from 'imapflow';
import { type Db, execRows } from '../../db/client.js';
import { emailMessages, integrationLogs, mailAccounts, mailFolders } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import { type Job, enqueue } from '../../shared/jobs.js';
import { SecretBox } from '../../shared/secrets.js';
import { closeImap, openImap } from './imap.js';
import { type Envelope, parseMail } from './parse.js';
import { storeMessage } from './store.js';

type AccountRow = typeof mailAccounts.$inferSelect;
type FolderRow = typeof mailFolders.$inferSelect;
/** Messages fetched per round trip: memory stays bounded whatever the mailbox size. */
const BATCH = 25;

export function imapSettingsOf(app: App, a: AccountRow) {
  return {
    host: a.imapHost,
    port: a.imapPort,
    tls: a.imapTls,
    username: a.username,
    password: new SecretBox(app.config.secretsKey).open(a.passwordEnc),
  };
}

/**
 * The `mail-sync` job: INBOX and the Sent folder (found by its special-use flag). New messages by
 * UID (the first sync limited to MAIL_SYNC_DAYS and MAIL_SYNC_MAX), flag changes, expunges; a new
 * UIDVALIDITY syncs that folder again from scratch. One integration_logs row per run; a failure
 * sets the account FAILED with the reason and keeps what was stored.
 */
export function syncJob(app: App) {
  return async (job: Job, signal: AbortSignal): Promise<void> => {
    const accountId = String(job.payload.accountId);
    const [account] = await app.db.select().from(mailAccounts).where(eq(mailAccounts.id, accountId));
    if (!account) return;
    await syncAccount(app, account, signal);
  };
}

/** Thrown between batches when the server stops: the sync resumes from its cursor at the next start. */
class Interrupted extends Error {}

export async function syncAccount(app: App, account: AccountRow, signal?: AbortSignal): Promise<void> {
  const db = app.db;
  const [log] = await db
    .insert(integrationLogs)
    .values({ userId: account.userId, accountId: account.id, integration: 'imap', action: 'sync' })
    .returning({ id: integrationLogs.id });
  await db.update(mailAccounts).set({ syncState: 'SYNCING' }).where(eq(mailAccounts.id, account.id));
  const tally = { stored: 0, partial: 0, changed: 0 };
  let client: ImapFlow | undefined;
  try {
    client = await openImap(imapSettingsOf(app, account), app.config.MAIL_CONNECT_TIMEOUT_MS);
    const boxes = await client.list();
    const wanted = [
      { path: boxes.find((b) => b.path.toUpperCase() === 'INBOX')?.path ?? 'INBOX', role: 'inbox' },
      ...boxes
        .filter((b) => b.specialUse === '\\Sent')
        .slice(0, 1)
        .map((b) => ({ path: b.path, role: 'sent' })),
    ];
    for (const box of wanted) {
      await db
        .insert(mailFolders)
        .values({ accountId: account.id, path: box.path, role: box.role })
        .onConflictDoNothing();
      const [folder] = await db
        .select()
        .from(mailFolders)
        .where(and(eq(mailFolders.accountId, account.id), eq(mailFolders.path, box.path)));
      await syncFolder(app, client, account, folder!, tally, signal);
    }
    // Threads whose every message was expunged (or re-synced away) go too.
    await db.execute(
      sql`delete from mail_threads t where t.account_id = ${account.id} and not exists (select 1 from email_messages m where m.thread_id = t.id)`,
    );
    const status = tally.partial ? 'PARTIAL' : 'SUCCESS';
    await db.transaction(async (tx) => {
      await tx
        .update(mailAccounts)
        .set({ syncState: 'IDLE', lastSyncedAt: sql`now()`, lastError: null })
        .where(eq(mailAccounts.id, account.id));
      await tx
        .update(integrationLogs)
        .set({
          status,
          itemsProcessed: tally.stored + tally.changed,
          finishedAt: sql`clock_timestamp()`,
          message: `${tally.stored} new, ${tally.changed} changed${tally.partial ? `, ${tally.partial} did not parse in full` : ''}`,
        })
        .where(eq(integrationLogs.id, log!.id));
    });
  } catch (error) {
    if (error instanceof Interrupted) {
      await db.transaction(async (tx) => {
        await tx.update(mailAccounts).set({ syncState: 'PENDING' }).where(eq(mailAccounts.id, account.id));
        await tx
          .update(integrationLogs)
          .set({
            status: 'PARTIAL',
            itemsProcessed: tally.stored + tally.changed,
            finishedAt: sql`clock_timestamp()`,
            message: `${tally.stored} new; interrupted by a shutdown, resumes at the next start`,
          })
          .where(eq(integrationLogs.id, log!.id));
        await enqueue(tx, 'mail-sync', `mail-sync:${account.id}`, { accountId: account.id });
      });
      return;
    }
    const e = error as { authenticationFailed?: boolean; message?: string; code?: string; responseText?: string };
    // What the user sees says what the mail server did; anything else is logged, not shown (no SQL).
    const fromServer =
      e.responseText !== undefined || /^(E[A-Z]+|CONNECT_TIMEOUT|GREETING_TIMEOUT|NoConnection)$/.test(e.code ?? '');
    const reason = e.authenticationFailed
      ? 'The IMAP server refused the username or password'
      : fromServer
        ? `Sync failed: ${(e.responseText ?? e.message ?? String(error)).slice(0, 300)}`
        : 'Sync failed: an internal error (logged); the next sync tries again';
    await db.transaction(async (tx) => {
      await tx
        .update(mailAccounts)
        .set({ syncState: 'FAILED', lastError: reason })
        .where(eq(mailAccounts.id, account.id));
      await tx
        .update(integrationLogs)
        .set({
          status: 'FAILURE',
          itemsProcessed: tally.stored + tally.changed,
          finishedAt: sql`clock_timestamp()`,
          message: reason,
        })
        .where(eq(integrationLogs.id, log!.id));
    });
    app.logger.warn(
      { accountId: account.id, reason, ...(fromServer || e.authenticationFailed ? {} : { err: error }) },
      'mail sync failed',
    );
  } finally {
    if (client) await closeImap(client);
  }
}

async function syncFolder(
  app: App,
  client: ImapFlow,
  account: AccountRow,
  folder: FolderRow,
  tally: { stored: number; partial: number; changed: number },
  signal?: AbortSignal,
): Promise<void> {
  const db = app.db;
  const box = await client.mailboxOpen(folder.path, { readOnly: true });
  const validity = Number(box.uidValidity);
  let lastUid = folder.lastUid;
  const fresh = folder.uidValidity === null || folder.uidValidity !== validity;
  if (fresh) {
    // A new UIDVALIDITY: the UIDs we hold mean nothing now; this folder is synced again.
    if (folder.uidValidity !== null) await db.delete(emailMessages).where(eq(emailMessages.folderId, folder.id));
    lastUid = 0;
    await db.update(mailFolders).set({ uidValidity: validity, lastUid: 0 }).where(eq(mailFolders.id, folder.id));
  }
  if (box.exists === 0) {
    if (!fresh) await db.delete(emailMessages).where(eq(emailMessages.folderId, folder.id));
    return;
  }
  // Which UIDs to fetch: everything new, or on a first sync the most recent within the limits.
  let uids: number[];
  if (lastUid === 0) {
    const since = new Date(Date.now() - app.config.MAIL_SYNC_DAYS * 86_400_000);
    const found = (await client.search({ since }, { uid: true })) || [];
    uids = found.sort((a, b) => a - b).slice(-app.config.MAIL_SYNC_MAX);
  } else {
    uids =
      box.uidNext > lastUid + 1
        ? ((await client.search({ uid: `${lastUid + 1}:*` }, { uid: true })) || [])
            .filter((u) => u > lastUid)
            .sort((a, b) => a - b)
        : [];
  }
  const target = {
    accountId: account.id,
    userId: account.userId,
    folderId: folder.id,
    attachmentMax: app.config.MAIL_ATTACHMENT_MAX_BYTES,
  };
  const notify = folder.role === 'inbox' && !fresh;
  for (let i = 0; i < uids.length; i += BATCH) {
    if (signal?.aborted) throw new Interrupted();
    const batch = uids.slice(i, i + BATCH);
    for await (const msg of client.fetch(
      batch.join(','),
      { uid: true, flags: true, envelope: true, internalDate: true, source: true },
      { uid: true },
    )) {
      const parsed = await parseMail(msg.source ?? Buffer.alloc(0), msg.envelope as Envelope | undefined);
      const received = msg.internalDate ? new Date(msg.internalDate) : new Date();
      const stored = await db.transaction((tx) =>
        storeMessage(tx, target, msg.uid, parsed, received, msg.flags?.has('\\Seen') ?? false, notify),
      );
      if (stored) {
        tally.stored++;
        if (parsed.partial) tally.partial++;
      }
    }
    lastUid = Math.max(lastUid, ...batch);
    // The cursor moves with each batch: an interrupted sync resumes where it stopped.
    await db.update(mailFolders).set({ lastUid }).where(eq(mailFolders.id, folder.id));
  }
  if (!fresh) tally.changed += await reconcile(db, client, folder.id, lastUid);
}

/** Flags both ways are read here (server → store); messages gone from the server are deleted. */
async function reconcile(db: Db, client: ImapFlow, folderId: string, lastUid: number): Promise<number> {
  const seen = new Map<number, boolean>();
  for await (const msg of client.fetch(`1:${lastUid}`, { uid: true, flags: true }, { uid: true }))
    seen.set(msg.uid, msg.flags?.has('\\Seen') ?? false);
  const onServer = [...seen.keys()];
  const gone = await execRows<{ id: string }>(
    db,
    sql`delete from email_messages where folder_id = ${folderId} and not (uid = any(${sql.param(onServer)}::bigint[])) returning id`,
  );
  const flagged = onServer.filter((u) => seen.get(u));
  const changed = await execRows<{ id: string }>(
    db,
    sql`update email_messages set seen = (uid = any(${sql.param(flagged)}::bigint[])) where folder_id = ${folderId} and seen <> (uid = any(${sql.param(flagged)}::bigint[])) returning id`,
  );
  return gone.length + changed.length;
}
