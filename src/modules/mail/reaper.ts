import { and, eq, inArray, sql } from 'drizzle-orm';
import { emailDrafts, integrationLogs, mailAccounts } from '../../db/schema/index.js';
import type { App } from '../../shared/app.js';
import type { Tx } from '../../db/client.js';
import { type Job, groupHasRunningJob } from '../../shared/jobs.js';

/** Runs only while its job is active: how long after it started a RUNNING log may be judged. */
const GRACE_S = 5;

/**
 * Ends what a stopped worker left running: integration logs still RUNNING while none of their
 * user's jobs is running on any replica (so no sync or send of theirs can be) become FAILURE,
 * and accounts left SYNCING go back to PENDING, so that the periodic sync picks them up again.
 */
export async function reapStale(app: App): Promise<void> {
  const noLiveJob = sql`not ${groupHasRunningJob(sql`l.user_id::text`)}`;
  await app.db.execute(sql`
    with stale as (
      update integration_logs l set status = 'FAILURE', finished_at = clock_timestamp(),
        message = 'Did not finish: the worker running it stopped; the next run goes on from where it was'
      where l.status = 'RUNNING' and l.started_at < now() - make_interval(secs => ${GRACE_S}) and ${noLiveJob}
      returning l.account_id)
    update mail_accounts set sync_state = 'PENDING'
    where sync_state = 'SYNCING' and id in (select account_id from stale)`);
}

/**
 * A mail job that became a dead letter (its worker stopped during each attempt): its draft or
 * account says so, rather than waiting for ever. A send that never finished may have reached the
 * server: the user is told to look before sending it again.
 */
export async function deadJob(app: App, job: Job): Promise<void> {
  if (job.kind === 'mail-send') {
    await app.db
      .update(emailDrafts)
      .set({
        status: 'FAILED',
        error:
          'Sending stopped unfinished on every attempt; it may have been sent: check the Sent folder before sending it again',
        updatedAt: sql`now()`,
      })
      .where(and(eq(emailDrafts.id, String(job.payload.draftId)), inArray(emailDrafts.status, ['QUEUED', 'SENDING'])));
  } else if (job.kind === 'mail-sync') {
    await app.db.transaction(async (tx) => {
      await reapLogs(tx, String(job.payload.accountId));
      await tx
        .update(mailAccounts)
        .set({ syncState: 'FAILED', lastError: 'The sync stopped unfinished on every attempt; reconnect to try again' })
        .where(eq(mailAccounts.id, String(job.payload.accountId)));
    });
  }
}

async function reapLogs(tx: Tx, accountId: string) {
  await tx
    .update(integrationLogs)
    .set({
      status: 'FAILURE',
      finishedAt: sql`clock_timestamp()`,
      message: 'Did not finish: the worker running it stopped',
    })
    .where(and(eq(integrationLogs.accountId, accountId), eq(integrationLogs.status, 'RUNNING')));
}
