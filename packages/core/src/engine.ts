import type { MetricContext } from './context.js';
import { ConflictError, ThrottledError } from './errors.js';
import type { CanonicalEvent } from './events.js';
import { entityKey } from './events.js';
import type { Listing, MetricModel } from './model.js';
import { applyEvent, type EntityState } from './state.js';
import { addValues, Deltas, type Values } from './values.js';

/** What the store holds for an entity or a rollup node: the value and a revision for optimistic locking. */
export interface Stored<T> {
  value: T;
  rev: number;
}

/** One atomic unit of writes: all of it lands, or none of it does. */
export interface CommitPlan {
  /** New entity states, each conditioned on the revision read (null: must not exist yet). */
  entities: { key: string; state: EntityState; listing: Listing | undefined; expectedRev: number | null }[];
  /** New rollup node values, conditioned the same way. */
  nodes: { key: string; values: Values; expectedRev: number | null }[];
  /** Increments to plain aggregates; commutative, so they need no condition. */
  aggregates: { key: string; delta: Values }[];
  /** Processing time, recorded as the aggregates' `changedAt`. */
  at: string;
}

export const planSize = (plan: CommitPlan): number => plan.entities.length + plan.nodes.length + plan.aggregates.length;

/** The port the engine writes through; `packages/store` implements it on DynamoDB. */
export interface EntityStore {
  loadEntities(keys: readonly string[]): Promise<Map<string, Stored<EntityState>>>;
  loadNodes(keys: readonly string[]): Promise<Map<string, Stored<Values>>>;
  /**
   * Writes the plan atomically; throws ConflictError when a condition no longer holds and ThrottledError when
   * the store refuses for capacity. Either way nothing of the plan was written.
   */
  commit(plan: CommitPlan): Promise<void>;
}

export interface ApplyOptions {
  store: EntityStore;
  model: MetricModel;
  ctx: MetricContext;
  now: () => Date;
  /** Most items one atomic commit may hold (DynamoDB transactions take 100). */
  maxItemsPerCommit?: number;
  /** How often a chunk is planned again after a conflict or throttling before giving up. */
  maxRetries?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface ApplyResult {
  /** Entities whose state changed. */
  changed: number;
  /** Events that changed nothing (duplicates, older versions). */
  unchanged: number;
  commits: number;
  /** Items written across all commits. */
  items: number;
}

interface EntityGroup {
  key: string;
  events: CanonicalEvent[];
}

const groupByEntity = (events: readonly CanonicalEvent[]): EntityGroup[] => {
  const groups = new Map<string, EntityGroup>();
  for (const event of events) {
    const key = entityKey(event);
    const group = groups.get(key) ?? { key, events: [] };
    group.events.push(event);
    groups.set(key, group);
  }
  return [...groups.values()];
};

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Applies a batch of canonical events: folds them per entity, turns each state change into contribution
 * deltas, sums deltas per aggregate across the batch (a hot aggregate is written once), propagates them
 * through the rollup levels, and commits entity states, rollups and aggregates together, conditioned on
 * what was read. A batch too large for one commit is split into chunks that are each complete and atomic.
 */
export const applyEvents = async (events: readonly CanonicalEvent[], options: ApplyOptions): Promise<ApplyResult> => {
  const result: ApplyResult = { changed: 0, unchanged: 0, commits: 0, items: 0 };
  const maxItems = options.maxItemsPerCommit ?? 100;
  const pending: EntityGroup[][] = [groupByEntity(events)];
  while (pending.length > 0) {
    const chunk = pending.shift() as EntityGroup[];
    const outcome = await applyChunk(chunk, options, maxItems);
    if ('tooLarge' in outcome) {
      // Cut in proportion to the overshoot; a piece that is still too large is cut again.
      const length = Math.max(1, Math.floor((chunk.length * maxItems) / outcome.tooLarge));
      const pieces: EntityGroup[][] = [];
      for (let i = 0; i < chunk.length; i += length) pieces.push(chunk.slice(i, i + length));
      pending.unshift(...pieces);
      continue;
    }
    result.changed += outcome.changed;
    result.unchanged += outcome.unchanged;
    result.commits += outcome.committed ? 1 : 0;
    result.items += outcome.items;
  }
  return result;
};

const applyChunk = async (
  chunk: EntityGroup[],
  options: ApplyOptions,
  maxItems: number,
): Promise<{ tooLarge: number } | { changed: number; unchanged: number; committed: boolean; items: number }> => {
  const sleep = options.sleep ?? defaultSleep;
  const maxRetries = options.maxRetries ?? 8;
  for (let attempt = 0; ; attempt++) {
    try {
      // Planning is inside the retry: after a conflict the plan must be made again from fresh reads, and
      // the reads themselves can be throttled.
      const planned = await planChunk(chunk, options);
      if (planned.plan.entities.length === 0) {
        return { changed: 0, unchanged: planned.unchanged, committed: false, items: 0 };
      }
      const size = planSize(planned.plan);
      if (size > maxItems && chunk.length > 1) return { tooLarge: size };
      await options.store.commit(planned.plan);
      return { changed: planned.plan.entities.length, unchanged: planned.unchanged, committed: true, items: size };
    } catch (error) {
      const retryable = error instanceof ConflictError || error instanceof ThrottledError;
      if (!retryable || attempt >= maxRetries) throw error;
      // Full jitter: concurrent writers of the same hot rollup, or of a throttled partition, spread out
      // instead of colliding again.
      await sleep(Math.random() * Math.min(1000, 10 * 2 ** attempt));
    }
  }
};

/** Reads what a chunk touches and computes its commit plan. Pure apart from the two reads. */
export const planChunk = async (
  chunk: readonly EntityGroup[],
  { store, model, ctx, now }: Pick<ApplyOptions, 'store' | 'model' | 'ctx' | 'now'>,
): Promise<{ plan: CommitPlan; unchanged: number }> => {
  const stored = await store.loadEntities(chunk.map((g) => g.key));
  const deltas = new Deltas();
  const plan: CommitPlan = { entities: [], nodes: [], aggregates: [], at: now().toISOString() };
  let unchanged = 0;

  for (const group of chunk) {
    const before = stored.get(group.key);
    let state = before?.value;
    let changed = false;
    for (const event of group.events) {
      const next = applyEvent(state, event);
      if (next) {
        state = next;
        changed = true;
      } else {
        unchanged++;
      }
    }
    if (!changed || !state) continue;
    deltas.addDifference(before ? model.contributions(before.value, ctx) : [], model.contributions(state, ctx));
    plan.entities.push({
      key: group.key,
      state,
      listing: model.listing(state, ctx),
      expectedRev: before?.rev ?? null,
    });
  }

  for (const level of model.rollups) {
    const keys = deltas.keys().filter((k) => k.startsWith(level.prefix));
    if (keys.length === 0) continue;
    const nodes = await store.loadNodes(keys);
    for (const key of keys) {
      const delta = deltas.take(key) ?? {};
      const node = nodes.get(key);
      const oldValues = node?.value ?? {};
      const newValues = addValues(oldValues, delta);
      deltas.addDifference(level.derive(key, oldValues, ctx), level.derive(key, newValues, ctx));
      plan.nodes.push({ key, values: newValues, expectedRev: node?.rev ?? null });
    }
  }

  for (const [key, delta] of deltas.byKey) plan.aggregates.push({ key, delta });
  return { plan, unchanged };
};

/**
 * Recomputes every rollup and aggregate from entity states alone: the reference the incremental path must
 * equal, and what `rebuild` writes.
 */
export const recompute = (
  states: Iterable<EntityState>,
  model: MetricModel,
  ctx: MetricContext,
): { nodes: Map<string, Values>; aggregates: Map<string, Values> } => {
  const deltas = new Deltas();
  for (const state of states) deltas.addAll(model.contributions(state, ctx));
  const nodes = new Map<string, Values>();
  for (const level of model.rollups) {
    for (const key of deltas.keys().filter((k) => k.startsWith(level.prefix))) {
      const values = deltas.take(key) ?? {};
      nodes.set(key, values);
      deltas.addAll(level.derive(key, values, ctx));
    }
  }
  return { nodes, aggregates: new Map(deltas.byKey) };
};
