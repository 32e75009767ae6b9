import { and, eq, sql } from 'drizzle-orm';
import type { FetchMessageObject, ImapFlow } from 'imapflow';
import { type Db, type Tx, execRows } from '../../db/client.js';
import { emailMessages, integrationLogs, mailAccounts, mailFolders } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import type { Job } from '../../shared/jobs.js';
import { SecretBox } from '../../shared/secrets.js';
import { mailPolicy } from './hosts.js';
import { closeImap, openImap, untilAborted } from './imap.js';
import { type Envelope, type ParsedMail, instant, parseMail } from './parse.js';
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

/** A message just stored from INBOX, handed to the hooks in the transaction that stored it. */
export interface StoredMail {
  accountId: string;
  userId: string;
  emailId: string;
  mail: ParsedMail;
  receivedAt: Date;
}

/**
 * What other modules do with synced mail (the tracker's inboxes), in the sync's own transactions:
 * `stored` for each new INBOX message (a returned text marks the run PARTIAL with it), `settled`
 * when a run ends (error null on success).
 */
export interface MailHooks {
  stored?: (tx: Tx, stored: StoredMail) => Promise<string | null>;
  settled?: (tx: Tx, accountId: string, error: string | null) => Promise<void>;
}

/**
 * The `mail-sync` job: INBOX and the Sent folder (found by its special-use flag). New messages by
 * UID (the first sync limited to MAIL_SYNC_DAYS and MAIL_SYNC_MAX), flag changes, expunges; a new
 * UIDVALIDITY syncs that folder again from scratch. One integration_logs row per run; a failure
 * sets the account FAILED with the reason and keeps what was stored.
 */
export function syncJob(app: App, hooks: MailHooks = {}) {
  return async (job: Job, signal: AbortSignal): Promise<void> => {
    const accountId = String(job.payload.accountId);
    const [account] = await app.db.select().from(mailAccounts).where(eq(mailAccounts.id, accountId));
    if (!account) return;
    await syncAccount(app, account, signal, hooks);
  };
}

/** Thrown between batches when the server stops: the sync resumes from its cursor at the next start. */
class Interrupted extends Error {}

export async function syncAccount(
  app: App,
  account: AccountRow,
  signal?: AbortSignal,
  hooks: MailHooks = {},
): Promise<void> {
  const db = app.db;
  const [log] = await db
    .insert(integrationLogs)
    .values({ userId: account.userId, accountId: account.id, integration: 'imap', action: 'sync' })
    .returning({ id: integrationLogs.id });
  await db.update(mailAccounts).set({ syncState: 'SYNCING' }).where(eq(mailAccounts.id, account.id));
  const tally: Tally = {
    stored: 0,
    partial: 0,
    changed: 0,
    quotaLeft: await quotaLeft(app, account.userId),
    notes: new Set(),
    hooks,
  };
  let client: ImapFlow | undefined;
  // One deadline for the whole sync: a server that answers slowly (a line every few seconds) cannot
  // hold the worker; the job's own signal (a shutdown) ends it too.
  const deadline = AbortSignal.any([AbortSignal.timeout(app.config.MAIL_SYNC_TIMEOUT_MS), ...(signal ? [signal] : [])]);
  try {
    client = await openImap(imapSettingsOf(app, account), mailPolicy(app.config), deadline);
    const open = client;
    deadline.addEventListener('abort', () => open.close(), { once: true });
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
      await syncFolder(app, client, account, folder!, tally, deadline, signal);
    }
    // Threads whose every message was expunged (or re-synced away) go too.
    await db.execute(
      sql`delete from mail_threads t where t.account_id = ${account.id} and not exists (select 1 from email_messages m where m.thread_id = t.id)`,
    );
    const full = tally.quotaLeft <= 0;
    const status = tally.partial || full || tally.notes.size ? 'PARTIAL' : 'SUCCESS';
    const quotaNote = full ? 'The mail storage quota is used up: new mail is not stored' : null;
    const notes = [...tally.notes].map((n) => `; ${n}`).join('');
    await db.transaction(async (tx) => {
      await hooks.settled?.(tx, account.id, null);
      await tx
        .update(mailAccounts)
        .set({ syncState: 'IDLE', lastSyncedAt: sql`now()`, lastError: quotaNote })
        .where(eq(mailAccounts.id, account.id));
      await tx
        .update(integrationLogs)
        .set({
          status,
          itemsProcessed: tally.stored + tally.changed,
          finishedAt: sql`clock_timestamp()`,
          message:
            `${tally.stored} new, ${tally.changed} changed${tally.partial ? `, ${tally.partial} not stored in full` : ''}${quotaNote ? `; ${quotaNote}` : ''}${notes}`.slice(
              0,
              2000,
            ),
        })
        .where(eq(integrationLogs.id, log!.id));
    });
  } catch (error) {
    const timedOut = deadline.aborted && !signal?.aborted;
    if (error instanceof Interrupted || deadline.aborted) {
      await db.transaction(async (tx) => {
        await tx.update(mailAccounts).set({ syncState: 'PENDING' }).where(eq(mailAccounts.id, account.id));
        await tx
          .update(integrationLogs)
          .set({
            status: 'PARTIAL',
            itemsProcessed: tally.stored + tally.changed,
            finishedAt: sql`clock_timestamp()`,
            message: timedOut
              ? `${tally.stored} new; stopped at the ${app.config.MAIL_SYNC_TIMEOUT_MS / 1000} s deadline, the next sync goes on from here`
              : `${tally.stored} new; interrupted by a shutdown, resumes at the next start`,
          })
          .where(eq(integrationLogs.id, log!.id));
        // A shutdown resumes at the next start; a slow server waits for the next periodic sync.
        if (!timedOut)
          await app.jobs.send(tx, 'mail-sync', `mail-sync:${account.id}`, { accountId: account.id }, account.userId);
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
      await hooks.settled?.(tx, account.id, reason);
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
  tally: Tally,
  deadline: AbortSignal,
  signal?: AbortSignal,
): Promise<void> {
  const db = app.db;
  const box = await untilAborted(client.mailboxOpen(folder.path, { readOnly: true }), deadline);
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
  const max = app.config.MAIL_MESSAGE_MAX_BYTES;
  for (let i = 0; i < uids.length; i += BATCH) {
    if (signal?.aborted) throw new Interrupted();
    if (tally.stored >= app.config.MAIL_SYNC_MAX || tally.quotaLeft <= 0) break;
    const batch = uids.slice(i, i + BATCH);
    const asked = new Set(batch);
    const done: number[] = [];
    // Sizes first (RFC822.SIZE): a message over MAIL_MESSAGE_MAX_BYTES is never fetched whole.
    const sizes = new Map<number, number>();
    for await (const msg of client.fetch(batch.join(','), { uid: true, size: true }, { uid: true }))
      if (asked.has(msg.uid)) sizes.set(msg.uid, msg.size ?? 0);
    const whole = batch.filter((u) => (sizes.get(u) ?? 0) <= max);
    const large = batch.filter((u) => (sizes.get(u) ?? 0) > max);
    const take = async (msg: FetchMessageObject, parsed: ParsedMail) => {
      // Only what was asked, once: unsolicited FETCH data from the server is ignored.
      if (!asked.has(msg.uid) || tally.stored >= app.config.MAIL_SYNC_MAX) return;
      const bytes = Buffer.byteLength(parsed.text ?? '') + Buffer.byteLength(parsed.html ?? '');
      const attached = parsed.attachments.reduce((n, a) => n + a.content.length, 0);
      if (bytes + attached > tally.quotaLeft) {
        tally.quotaLeft = 0;
        return;
      }
      asked.delete(msg.uid);
      done.push(msg.uid);
      const received = instant(msg.internalDate) ?? new Date();
      const stored = await db.transaction(async (tx) => {
        const id = await storeMessage(tx, target, msg.uid, parsed, received, msg.flags?.has('\\Seen') ?? false, notify);
        if (id && folder.role === 'inbox' && tally.hooks.stored) {
          const note = await tally.hooks.stored(tx, { ...target, emailId: id, mail: parsed, receivedAt: received });
          if (note) tally.notes.add(note);
        }
        return id;
      });
      if (stored) {
        tally.stored++;
        tally.quotaLeft -= bytes + attached;
        if (parsed.partial) tally.partial++;
      }
    };
    if (whole.length)
      for await (const msg of client.fetch(
        whole.join(','),
        { uid: true, flags: true, envelope: true, internalDate: true, source: true },
        { uid: true },
      ))
        if (asked.has(msg.uid))
          await take(
            msg,
            capText(await parseMail(msg.source ?? Buffer.alloc(0), msg.envelope as Envelope | undefined), app),
          );
    if (large.length)
      for await (const msg of client.fetch(
        large.join(','),
        { uid: true, flags: true, envelope: true, internalDate: true, headers: true },
        { uid: true },
      ))
        if (asked.has(msg.uid)) await take(msg, await headersOnly(msg, sizes.get(msg.uid) ?? 0, max));
    // A batch cut short by MAIL_SYNC_MAX or the quota moves the cursor only past what was stored.
    const cut = tally.stored >= app.config.MAIL_SYNC_MAX || tally.quotaLeft <= 0;
    lastUid = Math.max(lastUid, ...(cut ? done : batch));
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

type Tally = {
  stored: number;
  partial: number;
  changed: number;
  quotaLeft: number;
  /** What the hooks reported (a sender over its limit): the run is PARTIAL with these. */
  notes: Set<string>;
  hooks: MailHooks;
};

/** Bytes the user may still store: MAIL_STORAGE_QUOTA_BYTES less their messages' text and attachments. */
async function quotaLeft(app: App, userId: string): Promise<number> {
  const [row] = await execRows<{ used: number }>(
    app.db,
    sql`select (select coalesce(sum(octet_length(coalesce(text, '')) + octet_length(coalesce(html, ''))), 0) from email_messages where user_id = ${userId})
             + (select coalesce(sum(size), 0) from email_attachments where user_id = ${userId}) as used`,
  );
  return app.config.MAIL_STORAGE_QUOTA_BYTES - Number(row?.used ?? 0);
}

/** Stored text is capped at MAIL_TEXT_MAX_CHARS (what search indexes and shows headlines from). */
function capText(m: ParsedMail, app: App): ParsedMail {
  const max = app.config.MAIL_TEXT_MAX_CHARS;
  if ((m.text?.length ?? 0) <= max && (m.html?.length ?? 0) <= max) return m;
  return { ...m, text: m.text?.slice(0, max) ?? null, html: m.html?.slice(0, max) ?? null, partial: true };
}

/** A message over the size limit: its headers, and a note in place of the body. */
async function headersOnly(msg: FetchMessageObject, size: number, max: number): Promise<ParsedMail> {
  const parsed = await parseMail(msg.headers ?? Buffer.alloc(0), msg.envelope as Envelope | undefined);
  const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;
  const note = `[This message is ${mb(size)}, over the ${mb(max)} Orbit stores: only its headers were kept. Read it with your mail client.]`;
  return { ...parsed, text: note, html: null, snippet: note, attachments: [], partial: true };
}
