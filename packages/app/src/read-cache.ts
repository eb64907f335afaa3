import type { QueryStore } from './query.js';

/**
 * Polling dashboards ask for the same figures many times a second. This keeps each distinct aggregate read
 * for `ttlMs` and shares one read among concurrent identical requests, so DynamoDB sees at most one read per
 * key set per interval, however many pollers there are. Figures are at most `ttlMs` older than the table.
 */
export const withReadCache = <S extends QueryStore>(store: S, ttlMs: number, now = () => Date.now()): S => {
  if (ttlMs <= 0) return store;
  const entries = new Map<string, { at: number; value: ReturnType<QueryStore['getAggregates']> }>();
  const getAggregates: QueryStore['getAggregates'] = (keys) => {
    const id = keys.join('\u0000');
    const t = now();
    const hit = entries.get(id);
    if (hit && t - hit.at < ttlMs) return hit.value;
    const value = store.getAggregates(keys);
    entries.set(id, { at: t, value });
    // A failed read is not kept: the next request tries again.
    value.catch(() => entries.get(id)?.value === value && entries.delete(id));
    if (entries.size > 1000) for (const [key, e] of entries) if (t - e.at >= ttlMs) entries.delete(key);
    return value;
  };
  // Everything else is the store's own, reached through the prototype.
  return Object.assign(Object.create(store) as S, { getAggregates });
};
