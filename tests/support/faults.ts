import {
  applyEvents,
  type CanonicalEvent,
  type EntityStore,
  type FoldPlan,
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

/** Stop at the `write`-th write of the engine (1-based), before it is made or after it landed. */
export type CrashPoint = { write: number; when: 'before' | 'after' };

/**
 * Wraps a store and stops at a chosen write: `before` it is made, or `after` it landed but before the answer
 * arrived (a lost response, or a crash right after). Writes are every call that changes the store, in order:
 * a commit, taking the fold lease, beginning a fold, each item of a fold (one by one, as DynamoDB writes
 * them), ending the fold, letting the lease go. After the stop, every call fails: the process is gone, and
 * whatever lease it held stays held. `writes` counts the writes made, so a run without a stop
 * (`write: Infinity`) tells how many crash points a batch has.
 */
export const crashingStore = (inner: EntityStore, at: CrashPoint): EntityStore & { writes: number; log: string[] } => {
  let stopped = false;
  const alive = <T>(call: () => Promise<T>): Promise<T> => {
    if (stopped) return Promise.reject(new CrashError('the process has stopped'));
    return call();
  };
  const write = async <T>(name: string, call: () => Promise<T>): Promise<T> => {
    if (stopped) throw new CrashError('the process has stopped');
    store.writes++;
    store.log.push(name);
    if (store.writes !== at.write) return call();
    stopped = true;
    if (at.when === 'after') await call();
    throw new CrashError(`stopped ${at.when} write ${at.write}`);
  };
  const store = {
    writes: 0,
    /** What each write was, in order (`log[n - 1]` is write n). */
    log: [] as string[],
    loadEntities: (keys: readonly string[]) => alive(() => inner.loadEntities(keys)),
    loadNodes: (keys: readonly string[]) => alive(() => inner.loadNodes(keys)),
    listJournals: (limit: number) => alive(() => inner.listJournals(limit)),
    loadJournals: (ids: readonly string[]) => alive(() => inner.loadJournals(ids)),
    commit: (plan: Parameters<EntityStore['commit']>[0]) => write('commit', () => inner.commit(plan)),
    acquireFold: (holder: string, now: Date, leaseMs: number) =>
      write('acquireFold', () => inner.acquireFold(holder, now, leaseMs)),
    beginFold: (holder: string, journals: readonly string[], now: Date, leaseMs: number) =>
      write('beginFold', () => inner.beginFold(holder, journals, now, leaseMs)),
    async applyFold(plan: FoldPlan) {
      for (const node of plan.nodes)
        await write('applyFold', () => inner.applyFold({ ...plan, nodes: [node], aggregates: [] }));
      for (const aggregate of plan.aggregates)
        await write('applyFold', () => inner.applyFold({ ...plan, nodes: [], aggregates: [aggregate] }));
    },
    endFold: (holder: string, seq: number, journals: readonly string[]) =>
      write('endFold', () => inner.endFold(holder, seq, journals)),
    releaseFold: (holder: string) => write('releaseFold', () => inner.releaseFold(holder)),
  };
  return store;
};

/** The writes (crash points) `run` makes through the store, by name, in order. */
export const writesOf = async (
  store: EntityStore,
  run: (store: EntityStore) => Promise<unknown>,
): Promise<string[]> => {
  const counting = crashingStore(store, { write: Number.POSITIVE_INFINITY, when: 'before' });
  await run(counting);
  return counting.log;
};

/**
 * The writes worth stopping at where each run is costly (DynamoDB Local): every write but the fold's items,
 * and of those the first, one in the middle and the last. 1-based, as CrashPoint counts.
 */
export const sampledCrashPoints = (log: readonly string[]): number[] => {
  const items = log.flatMap((name, i) => (name === 'applyFold' ? [i + 1] : []));
  const sampled = new Set([items[0], items[Math.floor(items.length / 2)], items.at(-1)]);
  return log.flatMap((name, i) => (name !== 'applyFold' || sampled.has(i + 1) ? [i + 1] : []));
};

/**
 * Applies a batch as the aggregator would, with small commits so that a batch takes several. `folder` is the
 * process (a stopped one keeps the fold lease until it expires: 30 s after `now`).
 */
export const applyBatch = (
  events: readonly CanonicalEvent[],
  store: EntityStore,
  ctx: MetricContext,
  maxItemsPerCommit = 12,
  process: { folder?: string; now?: Date } = {},
) =>
  applyEvents(events, {
    store,
    model: metricModel,
    ctx,
    now: () => process.now ?? new Date('2026-11-23T10:00:00Z'),
    maxItemsPerCommit,
    sleep: async () => {},
    folder: process.folder,
  });

/** A one-shot signal between a test and a store call it holds up: `fire()` resolves `fired`. */
export const signal = (): { fired: Promise<void>; fire: () => void } => {
  let fire: () => void = () => {};
  const fired = new Promise<void>((resolve) => {
    fire = resolve;
  });
  return { fired, fire };
};
