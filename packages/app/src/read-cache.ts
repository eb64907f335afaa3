import type { AggregateReader, ReportReader, Values } from '@flash/core';

/** What the shared reads answer: records by key, each with its counters and the time they last changed. */
type ReadResult = ReadonlyMap<string, { values: Values; updatedAt?: string | undefined; takenAt?: string }>;

interface Entry<R extends ReadResult> {
  /** When the read was started. */
  at: number;
  value: Promise<R>;
  /** What the read answered, once it has: it can be served while a newer one is on its way. */
  settled: R | undefined;
  refreshing: boolean;
}

const sameValues = (a: Values, b: Values): boolean => {
  const fields = Object.keys(a);
  return fields.length === Object.keys(b).length && fields.every((f) => a[f] === b[f]);
};

/** Whether two reads of the same thing found the same records (counters and their stamps). */
const sameResult = (a: ReadResult, b: ReadResult): boolean => {
  if (a.size !== b.size) return false;
  for (const [key, record] of a) {
    const other = b.get(key);
    if (!other || other.updatedAt !== record.updatedAt || other.takenAt !== record.takenAt) return false;
    if (!sameValues(record.values, other.values)) return false;
  }
  return true;
};

/**
 * Polling dashboards ask for the same figures many times a second. This shares one read among all requests
 * for the same aggregate keys, the same span of a series partition or the same snapshot days: within `ttlMs`
 * an answer is served as read; after that, for up to four times as long, it is still served while one request
 * refreshes it in the background, so no poller waits on DynamoDB; older than that, the request waits for a
 * fresh read. A busy read is therefore at most `ttlMs` plus one read old, an idle one is read afresh, and
 * DynamoDB sees about one read per key set per `ttlMs`.
 *
 * A new read that finds exactly what the previous one found answers the previous value object itself, so a
 * value's identity changes exactly when what it holds did: the answer cache (answer-cache.ts) relies on it.
 */
export const withReadCache = <S extends AggregateReader & Partial<Pick<ReportReader, 'getSnapshots'>>>(
  store: S,
  ttlMs: number,
  now = () => Date.now(),
): S => {
  if (ttlMs <= 0) return store;
  const entries = new Map<string, Entry<ReadResult>>();

  const read = <R extends ReadResult>(id: string, load: () => Promise<R>, previous: R | undefined): Entry<R> => {
    const entry = { at: now(), settled: undefined, refreshing: false } as Omit<Entry<R>, 'value'> as Entry<R>;
    entry.value = load().then(
      (found) => {
        entry.settled = previous && sameResult(previous, found) ? previous : found;
        return entry.settled;
      },
      (error: unknown) => {
        // A failed read is not kept: the next request tries again.
        if (entries.get(id) === entry) entries.delete(id);
        throw error;
      },
    );
    return entry;
  };

  /** One read per `id` shared as described above; `load` reads afresh. */
  const shared = <R extends ReadResult>(id: string, load: () => Promise<R>): Promise<R> => {
    const t = now();
    const hit = entries.get(id) as Entry<R> | undefined;
    if (hit && t - hit.at < ttlMs) return hit.value;
    if (hit?.settled && t - hit.at < 4 * ttlMs) {
      if (!hit.refreshing) {
        hit.refreshing = true;
        const next = read(id, load, hit.settled);
        next.value.then(
          () => entries.set(id, next),
          () => {
            hit.refreshing = false;
          },
        );
      }
      return hit.value;
    }
    const entry = read(id, load, hit?.settled);
    entries.set(id, entry);
    if (entries.size > 1000) for (const [key, e] of entries) if (t - e.at >= 4 * ttlMs) entries.delete(key);
    return entry.value;
  };

  const getAggregates: AggregateReader['getAggregates'] = (keys) =>
    shared(`keys\u0000${keys.join('\u0000')}`, () => store.getAggregates(keys));
  const listAggregateRange: AggregateReader['listAggregateRange'] = (partition, from, to) =>
    shared(`range\u0000${partition}\u0000${from}\u0000${to}`, () => store.listAggregateRange(partition, from, to));
  // Read from the store only when called: a store without snapshots is never asked for them.
  const getSnapshots = (days: readonly string[]) =>
    shared(`snapshots\u0000${days.join('\u0000')}`, () => (store as unknown as ReportReader).getSnapshots(days));
  // Everything else is the store's own, reached through the prototype.
  return Object.assign(Object.create(store) as S, { getAggregates, listAggregateRange, getSnapshots });
};
