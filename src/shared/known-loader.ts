import DataLoader from 'dataloader';

/**
 * A DataLoader that also remembers what it has loaded, so a field can answer synchronously when its
 * parent has loaded it ahead (graphql then completes the object without waiting on a promise per
 * field). Still one loader per request: nothing outlives the operation.
 */
export class KnownLoader<K, V> extends DataLoader<K, V> {
  private readonly known: Map<K, V>;

  constructor(batch: (keys: readonly K[]) => Promise<V[]>) {
    const known = new Map<K, V>();
    super(async (keys) => {
      const values = await batch(keys);
      keys.forEach((key, i) => known.set(key, values[i]!));
      return values;
    });
    this.known = known;
  }

  /** The value when this request has loaded it already, else the promise of loading it. */
  value(key: K): V | Promise<V> {
    return this.known.has(key) ? this.known.get(key)! : this.load(key);
  }
}
