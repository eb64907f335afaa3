import {
  applyEvents,
  type CanonicalEvent,
  type CommitPlan,
  type EntityStore,
  type MetricContext,
  metricModel,
} from '@flash/core';

/** What a test pretends happened to the process: it stopped (crashed, timed out) at this point. */
export class CrashError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CrashError';
  }
}

export type CrashPoint = { commit: number; when: 'before' | 'after' };

/**
 * Wraps a store and stops at a chosen commit: `before` it is written, or `after` it was written but before
 * the answer arrived (a lost response, or a crash right after). Reads and other commits pass through.
 */
export const crashingStore = (inner: EntityStore, at: CrashPoint): EntityStore & { commits: number } => {
  const store = {
    commits: 0,
    loadEntities: (keys: readonly string[]) => inner.loadEntities(keys),
    loadNodes: (keys: readonly string[]) => inner.loadNodes(keys),
    async commit(plan: CommitPlan) {
      store.commits++;
      if (store.commits !== at.commit) return inner.commit(plan);
      if (at.when === 'after') await inner.commit(plan);
      throw new CrashError(`stopped ${at.when} commit ${at.commit}`);
    },
  };
  return store;
};

/** Applies a batch as the aggregator would, with small commits so that a batch takes several. */
export const applyBatch = (
  events: readonly CanonicalEvent[],
  store: EntityStore,
  ctx: MetricContext,
  maxItemsPerCommit = 12,
) =>
  applyEvents(events, {
    store,
    model: metricModel,
    ctx,
    now: () => new Date('2026-11-23T10:00:00Z'),
    maxItemsPerCommit,
    sleep: async () => {},
  });
