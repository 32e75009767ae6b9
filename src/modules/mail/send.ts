import { eq, sql } from 'drizzle-orm';
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
    if (!draft || draft.status !== 'QUEUED') return;
    const [account] = await app.db.select().from(mailAccounts).where(eq(mailAccounts.id, draft.accountId));
    if (!account?.smtpHost) return;
    const [log] = await app.db
      .insert(integrationLogs)
      .values({ userId: draft.userId, accountId: account.id, integration: 'smtp', action: 'send' })
      .returning({ id: integrationLogs.id });
    const settings = imapSettingsOf(app, account);
    try {
      let replyTo: { messageId: string | null; references: string[] } | undefined;
      if (draft.inReplyToId) {
        const [m] = await app.db
          .select({ messageId: emailMessages.messageId, references: emailMessages.references })
          .from(emailMessages)
          .where(eq(emailMessages.id, draft.inReplyToId));
        replyTo = m;
      }
      const references = replyTo?.messageId ? [...replyTo.references, replyTo.messageId] : undefined;
      const { default: MailComposer } = await import('nodemailer/lib/mail-composer/index.js');
      const raw = await new MailComposer({
        from: account.email,
        to: draft.to,
        cc: draft.cc.length ? draft.cc : undefined,
        subject: draft.subject,
        text: draft.text,
        messageId: draft.messageIdHeader!,
        date: new Date(),
        ...(replyTo?.messageId ? { inReplyTo: replyTo.messageId, references } : {}),
      })
        .compile()
        .build();
      const policy = mailPolicy(app.config);
      // One deadline for the whole send (connect, SMTP dialogue, the copy in Sent).
      const deadline = AbortSignal.timeout(app.config.MAIL_SEND_TIMEOUT_MS);
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
        await untilAborted(
          transport.sendMail({ envelope: { from: account.email, to: [...draft.to, ...draft.cc] }, raw }),
          deadline,
        );
      } finally {
        transport.close();
      }
      await app.db.transaction(async (tx) => {
        await tx
          .update(emailDrafts)
          .set({ status: 'SENT', sentAt: sql`now()`, error: null, updatedAt: new Date() })
          .where(eq(emailDrafts.id, draft.id));
        await tx
          .update(integrationLogs)
          .set({
            status: 'SUCCESS',
            itemsProcessed: 1,
            finishedAt: sql`clock_timestamp()`,
            message: `sent ${draft.messageIdHeader}`,
          })
          .where(eq(integrationLogs.id, log!.id));
      });
      // The copy in Sent; the next sync stores it like any other message.
      const [sent] = await app.db
        .select()
        .from(mailFolders)
        .where(sql`${mailFolders.accountId} = ${account.id} and ${mailFolders.role} = 'sent'`);
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
      await app.db.transaction(async (tx) => {
        await tx
          .update(emailDrafts)
          .set({ error: message, updatedAt: new Date(), ...(final ? { status: 'FAILED' as const } : {}) })
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
