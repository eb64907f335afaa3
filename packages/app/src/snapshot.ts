import { type AggregateReader, keys, localDateOf, type MetricContext, type SnapshotStore } from '@flash/core';

/** How often the snapshot job runs: a day's snapshot is at most this old at midnight. */
export const SNAPSHOT_INTERVAL_MINUTES = 15;

export interface SnapshotDeps {
  store: Pick<AggregateReader, 'getAggregates'> & Pick<SnapshotStore, 'putSnapshot'>;
  ctx: MetricContext;
  now: () => Date;
}

/**
 * Writes today's snapshot of the "now" figures (active customers, prospects, open pipeline): what a past
 * period shows for them once it is over (docs/metrics.md, "Now" figures of past periods). Run every
 * SNAPSHOT_INTERVAL_MINUTES, each run replacing the day's snapshot, so the last one of a day is taken at
 * most that long before midnight in METRICS_TIMEZONE. Answers the day and what was written.
 */
export const takeSnapshot = async ({ store, ctx, now }: SnapshotDeps) => {
  const at = now();
  const live = await store.getAggregates([keys.customers, keys.openPipeline()]);
  const values = { ...live.get(keys.openPipeline())?.values, ...live.get(keys.customers)?.values };
  const day = localDateOf(at, ctx.timeZone);
  await store.putSnapshot(day, values, at.toISOString());
  return { day, values };
};
