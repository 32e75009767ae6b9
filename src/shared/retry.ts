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
