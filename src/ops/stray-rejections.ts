import type { Logger } from 'pino';
import { isUnavailable } from '../db/deadline.js';

/**
 * A promise that failed with nobody waiting on it ends the process (Node's default), except when it
 * failed because a database connection was lost: a driver's or the job queue's own bookkeeping on a
 * connection that dropped (seen as `read ECONNRESET` from a socket, with no caller to tell) must not
 * take a replica down in the middle of a network fault it otherwise rides out. Those are logged as
 * warnings and the process goes on; anything else is logged and the process exits 1.
 */
export function guardStrayRejections(logger: Logger): void {
  process.on('unhandledRejection', (reason) => {
    if (isUnavailable(reason)) {
      logger.warn({ err: reason }, 'a lost database connection failed a promise nobody awaited');
      return;
    }
    logger.fatal({ err: reason }, 'a promise failed with nobody awaiting it: exiting');
    process.exit(1);
  });
}
