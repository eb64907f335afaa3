import type { AggregateReader, Aggregates, AggregateView } from '@flash/core';

type Read = ReturnType<AggregateReader['getAggregates']>;

interface Entry {
  /** When the read was started. */
  at: number;
  value: Read;
  /** What the read answered, once it has: it can be served while a newer one is on its way. */
  settled: Aggregates | undefined;
  refreshing: boolean;
}

const sameView = (a: AggregateView, b: AggregateView): boolean => {
  if (a.updatedAt !== b.updatedAt) return false;
  const fields = Object.keys(a.values);
  return fields.length === Object.keys(b.values).length && fields.every((f) => a.values[f] === b.values[f]);
};

/** Whether two reads of the same keys found the same aggregates. */
const sameAggregates = (a: Aggregates, b: Aggregates): boolean => {
  if (a.size !== b.size) return false;
  for (const [key, view] of a) {
    const other = b.get(key);
    if (!other || !sameView(view, other)) return false;
  }
  return true;
};

/**
 * Polling dashboards ask for the same figures many times a second. This shares one aggregate read among all
 * requests for the same keys: within `ttlMs` an answer is served as read; after that, for up to four times
 * as long, it is still served while one request refreshes it in the background, so no poller waits on
 * DynamoDB; older than that, the request waits for a fresh read. A busy key is therefore at most `ttlMs`
 * plus one read old, an idle one is read afresh, and DynamoDB sees about one read per key set per `ttlMs`.
 *
 * A new read that finds exactly what the previous one found (values and `updatedAt`) answers the previous
 * value object itself, so a value's identity changes exactly when the aggregates did: the answer cache
 * (answer-cache.ts) relies on it.
 */
export const withReadCache = <S extends AggregateReader>(store: S, ttlMs: number, now = () => Date.now()): S => {
  if (ttlMs <= 0) return store;
  const entries = new Map<string, Entry>();

  const read = (id: string, keys: readonly string[], previous: Aggregates | undefined): Entry => {
    const entry = { at: now(), settled: undefined, refreshing: false } as Omit<Entry, 'value'> as Entry;
    entry.value = store.getAggregates(keys).then(
      (found) => {
        entry.settled = previous && sameAggregates(previous, found) ? previous : found;
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

  const getAggregates: AggregateReader['getAggregates'] = (keys) => {
    const id = keys.join('\u0000');
    const t = now();
    const hit = entries.get(id);
    if (hit && t - hit.at < ttlMs) return hit.value;
    if (hit?.settled && t - hit.at < 4 * ttlMs) {
      if (!hit.refreshing) {
        hit.refreshing = true;
        const next = read(id, keys, hit.settled);
        next.value.then(
          () => entries.set(id, next),
          () => {
            hit.refreshing = false;
          },
        );
      }
      return hit.value;
    }
    const entry = read(id, keys, hit?.settled);
    entries.set(id, entry);
    if (entries.size > 1000) for (const [key, e] of entries) if (t - e.at >= 4 * ttlMs) entries.delete(key);
    return entry.value;
  };
  // Everything else is the store's own, reached through the prototype.
  return Object.assign(Object.create(store) as S, { getAggregates });
};
