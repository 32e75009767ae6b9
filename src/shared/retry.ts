import { isUnavailable } from '../db/deadline.js';

/**
 * Runs `fn` up to `attempts` times, pausing `pauseMs` × the attempt number between tries, and throws
 * the last failure: for a statement right after the database comes back, when pooled connections
 * that were cut still fail once each.
 */
export async function withRetries<T>(fn: () => Promise<T>, attempts: number, pauseMs: number): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (attempt >= attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, pauseMs * attempt));
    }
  }
}

/** How long an event waits for the database before its subscription gives up. */
const EVENT_WAIT_MS = 30_000;

/**
 * Runs `fn` again, with growing pauses (up to 2 s), for as long as it fails because the database
 * cannot be reached and `maxMs` has not passed; any other failure is thrown at once. For the read
 * behind a subscription's event: a replica that lost its connections a moment ago holds the event
 * (and those after it, in order) until it can read, instead of ending the subscription.
 */
export async function whileUnavailable<T>(fn: () => Promise<T>, maxMs = EVENT_WAIT_MS): Promise<T> {
  const until = Date.now() + maxMs;
  for (let pause = 100; ; pause = Math.min(pause * 2, 2000)) {
    try {
      return await fn();
    } catch (error) {
      if (!isUnavailable(error) || Date.now() + pause > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }
}
