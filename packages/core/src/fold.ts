import type { MetricContext } from './context.js';
import { ConflictError, RetryableError } from './errors.js';
import type { MetricModel } from './model.js';
import type { EntityStore, FoldPlan, Journal, Stored } from './ports.js';
import { backoffMs, sleep } from './retry.js';
import { addValues, Deltas, type Values } from './values.js';

/**
 * The fold: journals of committed entity states become rollups and aggregates (docs/architecture.md, "Commit
 * protocol"). One process at a time holds the fold lease and folds every journal waiting, so a rollup or an
 * aggregate that many commits touch is written once per fold instead of once per commit, and each item is
 * written alone (no transaction, no 100-item limit).
 *
 * Exactly once, whatever stops where:
 * - A fold is numbered (`beginFold`, numbers only grow) and its journals recorded before anything is written.
 *   Every item it writes is marked with that number and skipped if it already carries it or a later one
 *   (`applyFold`), so finishing a fold again writes only what the stopped one did not.
 * - A rollup node that the fold already wrote holds its old values plus the fold's delta: taking the delta
 *   back out gives the values the fold started from, so a resumed fold plans exactly what the first one did.
 * - The journals and the fold's record are removed together (`endFold`): a journal is folded by exactly one
 *   fold.
 * - A holder that stops keeps the lease until it expires; the next holder finishes its fold first. A holder
 *   that stalls past its lease and wakes writes nothing: its fold number is no longer above what the items carry.
 */

/** How long a fold lease lasts; a fold extends it with each window it begins. */
export const FOLD_LEASE_MS = 30_000;
/**
 * Most journals one fold takes: removing them and the fold's record is one transaction (100 items), and a
 * window of a hundred commits bounds the fold's memory and time.
 */
export const FOLD_WINDOW = 99;
/**
 * Most windows one call folds before it lets the lease go: under steady load another process keeps
 * committing, and a call that folded for ever would outlive its Lambda. Processes whose journals still wait
 * take the lease over (they wait for it), and a batch whose wait gives up is redelivered.
 */
export const FOLD_WINDOWS_PER_CALL = 10;

/** This process's name as a fold lease holder. */
const processFolder = `folder-${crypto.randomUUID()}`;
/**
 * The folds of each holder in this process, one after the other: calls that overlap in one process (the local
 * stack's aggregator, concurrent batches in a test) share its name and so its lease, so they must not fold at
 * the same time.
 */
const foldsOf = new Map<string, Promise<unknown>>();

export interface FoldOptions {
  store: EntityStore;
  model: MetricModel;
  ctx: MetricContext;
  now: () => Date;
  /** Who holds the fold lease for this call; this process's name by default. */
  folder?: string;
  /** How often a conflict or throttling (a commit), or a lease held elsewhere (a fold), is tried again. */
  maxRetries?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** The fold lease stayed with another holder, and the journals waited for were still not folded. */
export class FoldPendingError extends RetryableError {}

/**
 * Folds the waiting journals if the lease is free, up to FOLD_WINDOWS_PER_CALL windows (`drain`: every one,
 * for rebuild); when journals are left over, it fails with FoldPendingError so that the caller's batch is
 * redelivered and folds on. If another process holds the lease, waits until the journals in `waitFor` (by
 * default, those waiting now) are folded, since a fold takes every journal waiting, or until the lease is free
 * again; a holder that stopped keeps it until it expires, so after a few tries this gives up with
 * FoldPendingError and the caller's retry (SQS redelivers the batch) tries again later. Answers how many
 * journals and items this call folded and wrote.
 */
export const foldJournals = (
  options: FoldOptions,
  waitFor: readonly string[] = [],
  { drain = false }: { drain?: boolean } = {},
): Promise<{ journals: number; items: number }> => {
  const holder = options.folder ?? processFolder;
  const windows = drain ? Number.POSITIVE_INFINITY : FOLD_WINDOWS_PER_CALL;
  const fold = (foldsOf.get(holder) ?? Promise.resolve()).then(() => foldAll(holder, options, waitFor, windows));
  const settled = fold.catch(() => {});
  foldsOf.set(holder, settled);
  void settled.then(() => {
    if (foldsOf.get(holder) === settled) foldsOf.delete(holder);
  });
  return fold;
};

const foldAll = async (
  holder: string,
  options: FoldOptions,
  waitFor: readonly string[],
  windows: number,
): Promise<{ journals: number; items: number }> => {
  const { store, now } = options;
  const pause = options.sleep ?? sleep;
  const maxRetries = options.maxRetries ?? 12;
  let waiting = waitFor;
  for (let attempt = 0; ; attempt++) {
    const lease = await store.acquireFold(holder, now(), FOLD_LEASE_MS);
    if (lease) {
      const done = { journals: 0, items: 0 };
      let leftOver = false;
      try {
        if (lease.unfinished) {
          const journals = await store.loadJournals(lease.unfinished.journals);
          add(done, await finishFold(lease.unfinished.seq, journals, holder, options));
        }
        for (let window = 0; ; window++) {
          const journals = await store.listJournals(FOLD_WINDOW);
          if (journals.length === 0) break;
          if (window >= windows) {
            leftOver = true;
            break;
          }
          const seq = await store.beginFold(
            holder,
            journals.map((j) => j.id),
            now(),
            FOLD_LEASE_MS,
          );
          add(done, await finishFold(seq, journals, holder, options));
        }
      } finally {
        await store.releaseFold(holder);
      }
      // A backlog longer than this call folds: the caller's batch is redelivered and folds on then, whether
      // its own journals are among those left or not (a redelivery has none, and nothing else may come).
      if (leftOver) throw new FoldPendingError(`journals still wait after ${windows} windows folded`);
      return done;
    }
    if (attempt === 0 && waiting.length === 0) waiting = (await store.listJournals(FOLD_WINDOW)).map((j) => j.id);
    if (waiting.length === 0 || (await store.loadJournals(waiting)).length === 0) return { journals: 0, items: 0 };
    if (attempt >= maxRetries)
      throw new FoldPendingError(`${waiting.length} journals wait for the fold lease held by another process`);
    await pause(backoffMs(attempt, 20, 1000));
  }
};

const add = (total: { journals: number; items: number }, more: { journals: number; items: number }) => {
  total.journals += more.journals;
  total.items += more.items;
};

/** Plans fold `seq` of these journals from the rollups as they are, writes it, and removes the journals. */
const finishFold = async (
  seq: number,
  journals: readonly Journal[],
  holder: string,
  { store, model, ctx, now }: FoldOptions,
): Promise<{ journals: number; items: number }> => {
  const deltas = new Deltas();
  for (const journal of journals) for (const [key, values] of journal.deltas) deltas.add(key, values);
  const { nodes, aggregates } = await propagate(deltas, (keys) => store.loadNodes(keys), model, ctx, seq);
  await store.applyFold({ seq, nodes, aggregates, at: now().toISOString() });
  await store.endFold(
    holder,
    seq,
    journals.map((j) => j.id),
  );
  return { journals: journals.length, items: nodes.length + aggregates.length };
};

/**
 * What first-level deltas make of the rollups and aggregates: each rollup level in turn, read as stored, gets
 * its deltas and passes on what that changes of its own contributions; what is left are aggregate increments.
 * With `seq`, a node that fold `seq` already wrote (a fold resumed after a stop) holds the values the fold
 * started from plus the delta, which are taken back out first. Consumes `deltas`.
 */
export const propagate = async (
  deltas: Deltas,
  loadNodes: (keys: readonly string[]) => Promise<ReadonlyMap<string, Stored<Values>>>,
  model: MetricModel,
  ctx: MetricContext,
  seq?: number,
): Promise<Pick<FoldPlan, 'nodes' | 'aggregates'>> => {
  const nodes: FoldPlan['nodes'] = [];
  for (const level of model.rollups) {
    const keys = deltas.keys().filter((k) => k.startsWith(level.prefix));
    if (keys.length === 0) continue;
    const stored = await loadNodes(keys);
    for (const key of keys) {
      const delta = deltas.take(key) ?? {};
      const node = stored.get(key);
      // A later fold wrote it: this fold was finished by another holder while this one stalled, and planning
      // on from values that already hold its deltas would count them twice.
      if (seq !== undefined && node !== undefined && node.rev > seq)
        throw new ConflictError(`fold ${seq} was finished by another holder: ${key} carries fold ${node.rev}`);
      const current = node?.value ?? {};
      const before = seq !== undefined && node?.rev === seq ? addValues(current, negated(delta)) : current;
      const after = addValues(before, delta);
      deltas.addDifference(level.derive(key, before, ctx), level.derive(key, after, ctx));
      nodes.push({ key, values: after });
    }
  }
  return { nodes, aggregates: [...deltas.byKey].map(([key, delta]) => ({ key, delta })) };
};

const negated = (values: Values): Values =>
  Object.fromEntries(Object.entries(values).map(([field, amount]) => [field, -amount]));
