/**
 * Closes what a test file started, in order. Each may still be undefined: when a beforeAll failed
 * halfway, the afterAll still runs and must not hide that failure behind a TypeError.
 */
type Closable = { close(): unknown } | { stop(): unknown } | (() => unknown);

export async function closeAll(...items: (Closable | undefined)[]): Promise<void> {
  for (const item of items) {
    if (item === undefined) continue;
    if (typeof item === 'function') await item();
    else if ('close' in item) await item.close();
    else await item.stop();
  }
}
