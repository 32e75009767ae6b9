import type { Logger } from 'pino';
import type { Database, Db } from '../db/client.js';
import type { Config } from './config.js';
import type { EventBus } from './event-bus.js';
import type { JobQueue } from './jobs.js';
import type { Mail, Mailer } from './mailer.js';

/**
 * What every service gets: configuration and the shared resources of one server. `db` is the
 * database handle of the current operation (in a request it counts that operation's statements);
 * `database` is the connections themselves (the pool or the embedded instance, and LISTEN).
 * Modules add the resources they own by augmenting this interface (accounts: passwords, tokens,
 * verified-token cache); the composition root (src/graphql/app.ts) builds it.
 */
export interface App {
  config: Config;
  database: Database;
  db: Db;
  mailer: Mailer;
  logger: Logger;
  /** Events from every replica, through LISTEN/NOTIFY. */
  bus: EventBus;
  /** Background jobs (pg-boss): sent in the writer's transaction, run by every replica. */
  jobs: JobQueue;
}

/** Sends mail after the transaction that decided on it has committed; a failure is logged, not thrown. */
export async function sendAll(app: App, mails: Mail[]): Promise<void> {
  for (const mail of mails) {
    try {
      await app.mailer.send(mail);
    } catch (error) {
      app.logger.error({ err: error, kind: mail.kind }, 'email could not be sent');
    }
  }
}
