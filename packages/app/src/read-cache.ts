import type { AggregateReader } from '@flash/core';

type Read = ReturnType<AggregateReader['getAggregates']>;

interface Entry {
  /** When the read was started. */
  at: number;
  value: Read;
  /** The read has answered: it can be served while a newer one is on its way. */
  settled: boolean;
  refreshing: boolean;
}

/**
 * Polling dashboards ask for the same figures many times a second. This shares one aggregate read among all
 * requests for the same keys (or the same span of a series partition): within `ttlMs` an answer is served as read; after that, for up to four times
 * as long, it is still served while one request refreshes it in the background, so no poller waits on
 * DynamoDB; older than that, the request waits for a fresh read. A busy key is therefore at most `ttlMs`
 * plus one read old, an idle one is read afresh, and DynamoDB sees about one read per key set per `ttlMs`.
 */
export const withReadCache = <S extends AggregateReader>(store: S, ttlMs: number, now = () => Date.now()): S => {
  if (ttlMs <= 0) return store;
  const entries = new Map<string, Entry>();

  const read = (id: string, load: () => Read): Entry => {
    const entry: Entry = { at: now(), value: load(), settled: false, refreshing: false };
    entry.value.then(
      () => {
        entry.settled = true;
      },
      // A failed read is not kept: the next request tries again.
      () => entries.get(id) === entry && entries.delete(id),
    );
    return entry;
  };

  /** One read per `id` shared as described above; `load` reads afresh. */
  const shared = (id: string, load: () => Read): Read => {
    const t = now();
    const hit = entries.get(id);
    if (hit && t - hit.at < ttlMs) return hit.value;
    if (hit?.settled && t - hit.at < 4 * ttlMs) {
      if (!hit.refreshing) {
        hit.refreshing = true;
        const next = read(id, load);
        next.value.then(
          () => entries.set(id, next),
          () => {
            hit.refreshing = false;
          },
        );
      }
      return hit.value;
    }
    const entry = read(id, load);
    entries.set(id, entry);
    if (entries.size > 1000) for (const [key, e] of entries) if (t - e.at >= 4 * ttlMs) entries.delete(key);
    return entry.value;
  };

  const getAggregates: AggregateReader['getAggregates'] = (keys) =>
    shared(`keys\u0000${keys.join('\u0000')}`, () => store.getAggregates(keys));
  const listAggregateRange: AggregateReader['listAggregateRange'] = (partition, from, to) =>
    shared(`range\u0000${partition}\u0000${from}\u0000${to}`, () => store.listAggregateRange(partition, from, to));
  // Everything else is the store's own, reached through the prototype.
  return Object.assign(Object.create(store) as S, { getAggregates, listAggregateRange });
};
