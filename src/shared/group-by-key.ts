/**
 * A DataLoader batch's rows, grouped in the order of its keys: each key gets its rows (none: an
 * empty array). A row whose key is null or not asked for is left out.
 */
export function groupByKey<K, V>(keys: readonly K[], rows: readonly V[], keyOf: (v: V) => K | null): V[][] {
  const map = new Map<K, V[]>(keys.map((k) => [k, []]));
  for (const row of rows) {
    const key = keyOf(row);
    if (key !== null) map.get(key)?.push(row);
  }
  return keys.map((k) => map.get(k) ?? []);
}
