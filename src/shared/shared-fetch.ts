/**
 * One read per replica for an event that many subscribers receive: the first subscriber's read is
 * shared with the others for a short while (the row was committed before the event was sent, so
 * every subscriber would read the same thing). Each subscriber still checks it may see the row.
 */
export class SharedFetch<T> {
  private readonly inflight = new Map<string, Promise<T>>();

  constructor(private readonly ttlMs = 2000) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    let promise = this.inflight.get(key);
    if (!promise) {
      promise = load();
      this.inflight.set(key, promise);
      const timer = setTimeout(() => this.inflight.delete(key), this.ttlMs);
      timer.unref();
      promise.catch(() => this.inflight.delete(key));
    }
    return promise;
  }
}
