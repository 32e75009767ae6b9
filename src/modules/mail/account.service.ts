import { and, eq, sql } from 'drizzle-orm';
import { execRows } from '../../db/client.js';
import { integrationLogs, mailAccounts } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import { FieldProblems, InputError, NotFoundError } from '../../shared/errors.js';
import { RateLimiter } from '../../shared/rate-limit.js';
import { parseId } from '../../shared/ids.js';
import { reapStale } from './reaper.js';
import { type Connection, countWhere, cursorCast, keysetPage, pageRequest } from '../../shared/pagination.js';
import { SecretBox } from '../../shared/secrets.js';
import type { Viewer } from '../../shared/viewer.js';
import { connectProblem, mailPolicy, resolveMailHost } from './hosts.js';
import { closeImap, openImap, untilAborted } from './imap.js';
import { smtpTransport } from './smtp.js';
import type { AccountRow, ConnectMailAccountInput, LogRow } from './mail.type.js';

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const HOST = /^[a-z0-9.-]{1,253}$|^\[[0-9a-f:.]+\]$/i;

/** Mail accounts: connecting (after a real login), disconnecting, syncing on demand, the logs. */
export class MailAccountService {
  constructor(private readonly app: App) {}

  list(viewer: Viewer): Promise<AccountRow[]> {
    return this.app.db
      .select()
      .from(mailAccounts)
      .where(eq(mailAccounts.userId, viewer.userId))
      .orderBy(mailAccounts.createdAt);
  }

  async get(viewer: Viewer, id: string): Promise<AccountRow> {
    const [row] = await this.app.db
      .select()
      .from(mailAccounts)
      .where(and(eq(mailAccounts.id, parseId(id, 'Mail account')), eq(mailAccounts.userId, viewer.userId)));
    if (!row) throw new NotFoundError('Mail account');
    return row;
  }

  /**
   * Logs in to IMAP (and SMTP when given) before anything is stored; then stores the account (the
   * password encrypted) and queues its first sync. Connecting the same address again replaces the
   * settings and password (a changed password recovers this way).
   */
  async connect(viewer: Viewer, input: ConnectMailAccountInput, signal?: AbortSignal): Promise<AccountRow> {
    const email = input.email.trim().toLowerCase();
    const p = new FieldProblems();
    p.check(EMAIL.test(email) && email.length <= 320, 'email', 'Enter an email address');
    p.check(
      input.username.length >= 1 && input.username.length <= 320,
      'username',
      'Enter the username (1-320 characters)',
    );
    p.check(input.password.length >= 1 && input.password.length <= 1024, 'password', 'Enter the password');
    p.check(HOST.test(input.imapHost), 'imapHost', 'Enter a host name');
    p.check(
      Number.isInteger(input.imapPort) && input.imapPort >= 1 && input.imapPort <= 65535,
      'imapPort',
      'The port is 1-65535',
    );
    if (input.smtpHost != null || input.smtpPort != null) {
      p.check(!!input.smtpHost && HOST.test(input.smtpHost), 'smtpHost', 'Enter a host name (with smtpPort)');
      p.check(
        Number.isInteger(input.smtpPort) && input.smtpPort! >= 1 && input.smtpPort! <= 65535,
        'smtpPort',
        'The port is 1-65535',
      );
    }
    p.throwIfAny();
    const config = this.app.config;
    // Attempts are limited per user: connecting is not a way to probe hosts and ports.
    await new RateLimiter(this.app.db).hit(`mail-connect:${viewer.userId}`, {
      limit: config.MAIL_CONNECT_ATTEMPTS_PER_HOUR,
      seconds: 3600,
    });
    const [{ n } = { n: 0 }] = await execRows<{ n: number }>(
      this.app.db,
      sql`select count(*)::int as n from ${mailAccounts} where user_id = ${viewer.userId} and email <> ${email}`,
    );
    if (n >= config.MAIL_ACCOUNTS_MAX)
      throw new InputError({ email: `At most ${config.MAIL_ACCOUNTS_MAX} mail accounts; disconnect one first` });
    const policy = mailPolicy(config);
    // One deadline for the whole of connect, IMAP and SMTP; the client's request ending aborts it too.
    const deadline = AbortSignal.any([
      AbortSignal.timeout(config.MAIL_CONNECT_TIMEOUT_MS),
      ...(signal ? [signal] : []),
    ]);
    const imap = { host: input.imapHost, port: input.imapPort, tls: input.imapTls };
    const imapTarget = await resolveMailHost(input.imapHost, policy);
    try {
      const client = await openImap(
        { ...imap, username: input.username, password: input.password },
        policy,
        deadline,
        imapTarget,
      );
      await closeImap(client);
    } catch (error) {
      this.app.logger.info({ err: error, userId: viewer.userId }, 'mail connect: IMAP sign-in failed');
      throw connectProblem('imap');
    }
    if (input.smtpHost) {
      const smtpTarget = await resolveMailHost(input.smtpHost, policy, 'smtpHost');
      const transport = await smtpTransport(
        {
          host: input.smtpHost,
          port: input.smtpPort!,
          tls: input.smtpTls ?? false,
          username: input.username,
          password: input.password,
        },
        policy,
        policy.timeoutMs,
        smtpTarget,
      );
      try {
        await untilAborted(transport.verify(), deadline);
      } catch (error) {
        this.app.logger.info({ err: error, userId: viewer.userId }, 'mail connect: SMTP sign-in failed');
        throw connectProblem('smtp');
      } finally {
        transport.close();
      }
    }
    const values = {
      userId: viewer.userId,
      email,
      username: input.username,
      passwordEnc: new SecretBox(this.app.config.secretsKey).seal(input.password),
      imapHost: input.imapHost,
      imapPort: input.imapPort,
      imapTls: input.imapTls,
      smtpHost: input.smtpHost ?? null,
      smtpPort: input.smtpPort ?? null,
      smtpTls: input.smtpHost ? (input.smtpTls ?? false) : null,
      syncState: 'PENDING' as const,
      lastError: null,
    };
    return this.app.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(mailAccounts)
        .values(values)
        .onConflictDoUpdate({ target: [mailAccounts.userId, mailAccounts.email], set: values })
        .returning();
      await this.app.jobs.send(tx, 'mail-sync', `mail-sync:${row!.id}`, { accountId: row!.id }, viewer.userId);
      return row!;
    });
  }

  /** Deletes the account and everything stored from it. */
  async disconnect(viewer: Viewer, id: string): Promise<string> {
    const [row] = await this.app.db
      .delete(mailAccounts)
      .where(and(eq(mailAccounts.id, parseId(id, 'Mail account')), eq(mailAccounts.userId, viewer.userId)))
      .returning({ id: mailAccounts.id });
    if (!row) throw new NotFoundError('Mail account');
    return row.id;
  }

  /** Queues a sync now; the account shows PENDING until the worker takes it. */
  async sync(viewer: Viewer, id: string): Promise<AccountRow> {
    const account = await this.get(viewer, id);
    return this.app.db.transaction(async (tx) => {
      await this.app.jobs.send(tx, 'mail-sync', `mail-sync:${account.id}`, { accountId: account.id }, viewer.userId);
      const [row] = await tx
        .update(mailAccounts)
        .set({
          syncState: sql`case when ${mailAccounts.syncState} = 'SYNCING' then 'SYNCING'::mail_sync_state else 'PENDING'::mail_sync_state end`,
        })
        .where(eq(mailAccounts.id, account.id))
        .returning();
      return row!;
    });
  }

  async logs(
    viewer: Viewer,
    integration: string | null | undefined,
    first: number | null | undefined,
    after: string | null | undefined,
  ): Promise<Connection<LogRow>> {
    const page = pageRequest(first, after);
    const scope = and(
      eq(integrationLogs.userId, viewer.userId),
      integration ? eq(integrationLogs.integration, integration) : undefined,
    )!;
    return keysetPage(
      page,
      {
        expr: integrationLogs.startedAt,
        id: integrationLogs.id,
        dir: 'DESC',
        cast: cursorCast.timestamptz,
        cursorOf: (r) => [r.startedAt.toISOString(), r.id],
      },
      (past, order, limit) =>
        this.app.db
          .select()
          .from(integrationLogs)
          .where(and(scope, past))
          .orderBy(...order)
          .limit(limit),
      () => countWhere(this.app.db, integrationLogs, scope),
    );
  }
}

/** Every MAIL_SYNC_INTERVAL_S: a sync job for each account not synced since (deduplicated per account); a FAILED account waits for a reconnect or syncMailAccount, rather than retrying a refused password. */
export function scheduleMailSync(app: App): () => void {
  const every = app.config.MAIL_SYNC_INTERVAL_S;
  const run = () =>
    // What a stopped worker left RUNNING or SYNCING is ended first, so that it is scheduled again.
    reapStale(app)
      .catch((err: unknown) => app.logger.warn({ err }, 'ending stale mail runs failed'))
      .then(() =>
        app.db.transaction(async (tx) => {
          const due = await execRows<{ id: string; user_id: string }>(
            tx,
            sql`select id, user_id from mail_accounts where sync_state in ('IDLE', 'PENDING')
                and (last_synced_at is null or last_synced_at < now() - make_interval(secs => ${every}))`,
          );
          await app.jobs.sendMany(
            tx,
            'mail-sync',
            due.map((a) => ({ key: `mail-sync:${a.id}`, payload: { accountId: a.id }, group: a.user_id })),
          );
        }),
      )
      .catch((err: unknown) => app.logger.warn({ err }, 'scheduling mail syncs failed'));
  // As often as a job's heartbeat: a run its killed worker left RUNNING is ended soon after it lapses.
  const timer = setInterval(() => void run(), Math.min(every, 60, app.config.JOBS_LEASE_S) * 1000);
  timer.unref();
  return () => clearInterval(timer);
}
