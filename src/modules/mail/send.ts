import { and, eq, sql } from 'drizzle-orm';
import { emailDrafts, emailMessages, integrationLogs, mailAccounts, mailFolders } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import type { Job } from '../../shared/jobs.js';
import { mailPolicy } from './hosts.js';
import { closeImap, openImap, untilAborted } from './imap.js';
import { smtpTransport } from './smtp.js';
import { imapSettingsOf } from './sync.js';

/**
 * The `mail-send` job: the draft composed once with its fixed Message-ID (replies carry In-Reply-To
 * and References), sent through the account's SMTP server, then appended to the Sent folder. A
 * failure is retried with backoff (the draft stays QUEUED with the error); after the last attempt
 * the draft is FAILED. Each attempt writes an integration_logs row (smtp, send).
 */
export function sendJob(app: App) {
  return async (job: Job): Promise<void> => {
    const [draft] = await app.db
      .select()
      .from(emailDrafts)
      .where(eq(emailDrafts.id, String(job.payload.draftId)));
    if (!draft || (draft.status !== 'QUEUED' && draft.status !== 'SENDING')) return;
    const [account] = await app.db.select().from(mailAccounts).where(eq(mailAccounts.id, draft.accountId));
    if (!account?.smtpHost) return;
    const [log] = await app.db
      .insert(integrationLogs)
      .values({ userId: draft.userId, accountId: account.id, integration: 'smtp', action: 'send' })
      .returning({ id: integrationLogs.id });
    const settings = imapSettingsOf(app, account);
    const policy = mailPolicy(app.config);
    // One deadline for the whole send (connect, SMTP dialogue, the copy in Sent).
    const deadline = AbortSignal.timeout(app.config.MAIL_SEND_TIMEOUT_MS);
    /** Whether the SMTP server may have the message: then a failure cannot tell whether it was sent. */
    let handedOver = false;
    try {
      if (draft.status === 'SENDING') {
        // An earlier attempt stopped after it began handing the message over: if the server kept
        // it in Sent, it was sent, and is not sent again.
        if (await inSentFolder(app, account.id, settings, draft.messageIdHeader!, deadline)) {
          await markSent(app, draft.id, log!.id, `found ${draft.messageIdHeader} in Sent: it had been sent`);
          return;
        }
      } else {
        // Committed before SMTP: a crash from here on leaves SENDING, which the next attempt checks.
        const moved = await app.db
          .update(emailDrafts)
          .set({ status: 'SENDING' })
          .where(and(eq(emailDrafts.id, draft.id), eq(emailDrafts.status, 'QUEUED')))
          .returning({ id: emailDrafts.id });
        if (moved.length === 0) return;
      }
      let replyTo: { messageId: string | null; references: string[] } | undefined;
      if (draft.inReplyToId) {
        const [m] = await app.db
          .select({ messageId: emailMessages.messageId, references: emailMessages.references })
          .from(emailMessages)
          .where(eq(emailMessages.id, draft.inReplyToId));
        replyTo = m;
      }
      // Threading: the stored message replied to, else the headers the draft was given (ticket replies).
      const inReplyTo = replyTo?.messageId ?? draft.inReplyToHeader ?? null;
      const references = replyTo?.messageId
        ? [...replyTo.references, replyTo.messageId]
        : (draft.referencesHeader ?? (inReplyTo ? [inReplyTo] : undefined));
      const { default: MailComposer } = await import('nodemailer/lib/mail-composer/index.js');
      const raw = await new MailComposer({
        from: account.email,
        to: draft.to,
        cc: draft.cc.length ? draft.cc : undefined,
        subject: draft.subject,
        text: draft.text,
        messageId: draft.messageIdHeader!,
        date: new Date(),
        ...(inReplyTo ? { inReplyTo, references } : {}),
        ...(draft.replyTo ? { replyTo: draft.replyTo } : {}),
        ...(draft.headers ? { headers: draft.headers } : {}),
      })
        .compile()
        .build();
      const transport = await smtpTransport(
        {
          host: account.smtpHost,
          port: account.smtpPort!,
          tls: account.smtpTls ?? false,
          username: settings.username,
          password: settings.password,
        },
        policy,
        app.config.MAIL_SEND_TIMEOUT_MS,
      );
      try {
        handedOver = true;
        await untilAborted(
          transport.sendMail({ envelope: { from: account.email, to: [...draft.to, ...draft.cc] }, raw }),
          deadline,
        );
      } finally {
        transport.close();
      }
      await markSent(app, draft.id, log!.id, `sent ${draft.messageIdHeader}`);
      // The copy in Sent; the next sync stores it like any other message.
      const sent = await sentFolderOf(app, account.id);
      if (sent) {
        const client = await openImap(settings, policy, deadline).catch(() => null);
        if (client) {
          await untilAborted(client.append(sent.path, raw, ['\\Seen']), deadline).catch((err: unknown) =>
            app.logger.warn({ err, draftId: draft.id }, 'could not append the sent message to Sent'),
          );
          await closeImap(client);
        }
      }
    } catch (error) {
      const message = `Sending failed: ${(error instanceof Error ? error.message : String(error)).slice(0, 300)}`;
      const final = job.attempts >= app.config.JOBS_MAX_ATTEMPTS;
      // The server answered with a refusal, or never had it: the next attempt sends it. Otherwise
      // (cut off mid-dialogue) it stays SENDING and the next attempt first looks in Sent.
      const refused = !handedOver || typeof (error as { responseCode?: unknown }).responseCode === 'number';
      const status = final ? ('FAILED' as const) : refused ? ('QUEUED' as const) : ('SENDING' as const);
      await app.db.transaction(async (tx) => {
        await tx
          .update(emailDrafts)
          .set({ error: message, updatedAt: new Date(), status })
          .where(eq(emailDrafts.id, draft.id));
        await tx
          .update(integrationLogs)
          .set({ status: 'FAILURE', finishedAt: sql`clock_timestamp()`, message })
          .where(eq(integrationLogs.id, log!.id));
      });
      throw error;
    }
  };
}

/** The draft SENT and its log SUCCESS, together. */
async function markSent(app: App, draftId: string, logId: string, message: string): Promise<void> {
  await app.db.transaction(async (tx) => {
    await tx
      .update(emailDrafts)
      .set({ status: 'SENT', sentAt: sql`now()`, error: null, updatedAt: new Date() })
      .where(eq(emailDrafts.id, draftId));
    await tx
      .update(integrationLogs)
      .set({ status: 'SUCCESS', itemsProcessed: 1, finishedAt: sql`clock_timestamp()`, message })
      .where(eq(integrationLogs.id, logId));
  });
}

/**
 * Whether the account's Sent folder (found by the sync) holds a message with this Message-ID
 * (`SEARCH HEADER Message-ID`). No Sent folder known: false. The server not answering throws, so
 * the job is retried rather than the message sent again on a guess.
 */
async function inSentFolder(
  app: App,
  accountId: string,
  settings: ReturnType<typeof imapSettingsOf>,
  messageId: string,
  deadline: AbortSignal,
): Promise<boolean> {
  const sent = await sentFolderOf(app, accountId);
  if (!sent) return false;
  const client = await openImap(settings, mailPolicy(app.config), deadline);
  try {
    await untilAborted(client.mailboxOpen(sent.path, { readOnly: true }), deadline);
    const found = await untilAborted(client.search({ header: { 'message-id': messageId } }, { uid: true }), deadline);
    return Array.isArray(found) && found.length > 0;
  } finally {
    await closeImap(client);
  }
}

/** The account's Sent folder, as the sync found it (by its special-use flag). */
async function sentFolderOf(app: App, accountId: string): Promise<{ path: string } | undefined> {
  const [sent] = await app.db
    .select({ path: mailFolders.path })
    .from(mailFolders)
    .where(sql`${mailFolders.accountId} = ${accountId} and ${mailFolders.role} = 'sent'`);
  return sent;
}
