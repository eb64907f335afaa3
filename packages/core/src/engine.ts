import type { MetricContext } from './context.js';
import { ConflictError, ThrottledError } from './errors.js';
import type { CanonicalEvent, SnapshotEvent } from './events.js';
import { entityKey } from './events.js';
import { type FoldOptions, foldJournals } from './fold.js';
import { isDetractor } from './metrics/nps.js';
import type { MetricModel } from './model.js';
import type { CommitPlan } from './ports.js';
import { backoffMs, sleep } from './retry.js';
import { type AlertMark, applyEvent, type EntityState } from './state.js';
import { Deltas, type Values } from './values.js';

/**
 * Most first-level keys one journal holds: a commit's journal stays a small item (a few KB as stored) however
 * many keys its entities touch.
 */
export const MAX_JOURNAL_KEYS = 2_000;

export interface ApplyOptions extends FoldOptions {
  /** Most items one atomic commit may hold (DynamoDB transactions take 100): entity states and a journal. */
  maxItemsPerCommit?: number;
  /**
   * Whether the call folds (default) or leaves it to the caller, who then folds `journals` itself (the
   * aggregate handler folds once per batch, after isolating poison records).
   */
  fold?: boolean;
}

export interface ApplyResult {
  /** Entities whose state changed. */
  changed: number;
  /** Events that changed nothing (duplicates, older versions). */
  unchanged: number;
  /** Commits of entity states and their journals. */
  commits: number;
  /** Items written: entity states, journals, and the rollups and aggregates of the folds this call ran. */
  items: number;
  /** Journals this call folded (its own and any others waiting); 0 when another folder folded its own. */
  folded: number;
  /** The journals this call committed. */
  journals: string[];
  /**
   * Detractor alerts due: survey responses whose committed state carries a pending alert, whether this call
   * committed it or found it so (a retry after a stop between the commit and the announcement).
   */
  alerts: DueAlert[];
}

/** A detractor alert to announce: the applied detractor state of one survey response. */
export interface DueAlert {
  /** The response's entity key: one alert per key, ever. */
  key: string;
  /** That applied state as a canonical snapshot event, what the alert is raised from. */
  response: SnapshotEvent<'survey_response'>;
}

/**
 * How old a detractor brought by history (a backfill, an import: `history: true`) may be and still alert:
 * a response submitted within this window before it is applied alerts like a live one, an older one does
 * not. A year of backfilled answers does not page anyone for every old detractor, while a webhook lost
 * yesterday and healed by the nightly sweep (which reads a few days back) still raises its alert. Live
 * webhooks always alert (contract section 5).
 */
export const HISTORY_ALERT_WINDOW_MS = 7 * 24 * 3_600_000;

/** Whether the event that produced a state is history too old to alert (see HISTORY_ALERT_WINDOW_MS). */
const tooOldToAlert = (event: CanonicalEvent | undefined, state: EntityState, now: Date): boolean =>
  event?.history === true &&
  state.entity === 'survey_response' &&
  Date.parse(state.data.submittedAt) < now.getTime() - HISTORY_ALERT_WINDOW_MS;

/**
 * The alert mark of a new applied state. A response alerts once in its life: a mark, once set, is carried
 * over whatever comes next (a pending alert still announces the detractor state that applied, even if a
 * later state superseded it before the announcement). Without a mark, a new applied state that is a
 * detractor raises one, unless `quiet` (old history, see HISTORY_ALERT_WINDOW_MS): it then stays unmarked,
 * so a later live change that is a detractor still alerts. Only applied states are seen here: a version
 * superseded inside a batch, or arriving after a newer one, never reaches this function, so it never alerts.
 */
export const alertMarkOf = (
  before: EntityState | undefined,
  after: EntityState,
  quiet = false,
): AlertMark | undefined => {
  if (before?.alert) return before.alert;
  if (quiet || after.entity !== 'survey_response' || after.deleted || !isDetractor(after.data.score)) return undefined;
  return { status: 'pending', of: { version: after.version, occurredAt: after.occurredAt, data: after.data } };
};

/** The alert a state's pending mark stands for; undefined when it has none. */
const dueAlert = (key: string, state: EntityState): DueAlert | undefined => {
  const mark = state.alert;
  if (mark?.status !== 'pending') return undefined;
  const { version, occurredAt, data } = mark.of;
  return {
    key,
    response: {
      entity: 'survey_response',
      source: state.source,
      id: state.id,
      mode: 'snapshot',
      version,
      deleted: false,
      occurredAt,
      data,
    },
  };
};

/** The state with this alert mark, and no `alert` field at all without one. */
const withAlertMark = (state: EntityState, mark: AlertMark | undefined): EntityState => {
  const { alert: _previous, ...rest } = state;
  return (mark ? { ...rest, alert: mark } : rest) as EntityState;
};

/**
 * What the engine retries itself, planning again from fresh reads: a conflict or throttling. An unavailable
 * store is left to the caller's retry (SQS redelivers the batch).
 */
const retriedHere = (error: unknown): boolean => error instanceof ConflictError || error instanceof ThrottledError;

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

/** One entity's change in a batch: its new state and what that adds to the rollups and aggregates. */
interface Transition {
  group: EntityGroup;
  entity: CommitPlan['entities'][number];
  deltas: Deltas;
  /** Events of the group that changed nothing. */
  unchanged: number;
}

/**
 * Applies a batch of canonical events in two steps (docs/architecture.md, "Commit protocol").
 *
 * 1. **Commit**: folds the events per entity and commits each changed state, conditioned on the revision
 *    read, together with a journal of what the changes contribute (`contributions(new) - contributions(old)`,
 *    summed per key). A batch is cut into commits of at most `maxItemsPerCommit - 1` states plus their journal,
 *    each complete and atomic, so a stop between two leaves some entities applied with their journal and the
 *    rest not, never one without the other. A conflict or throttling reads what is left again, with backoff.
 * 2. **Fold**: the waiting journals are folded into the rollups and aggregates (fold.ts), by whichever
 *    process holds the fold lease; the call returns once its own journals are folded.
 */
export const applyEvents = async (events: readonly CanonicalEvent[], options: ApplyOptions): Promise<ApplyResult> => {
  const result: ApplyResult = { changed: 0, unchanged: 0, commits: 0, items: 0, folded: 0, journals: [], alerts: [] };
  const pause = options.sleep ?? sleep;
  const maxRetries = options.maxRetries ?? 8;
  const { journals } = result;
  let pending = groupByEntity(events);
  for (let attempt = 0; pending.length > 0; attempt++) {
    const committed = new Set<EntityGroup>();
    try {
      const { transitions, unchanged, alerts } = await readAndApply(pending, options);
      result.unchanged += unchanged;
      result.alerts.push(...alerts);
      pending = transitions.map((t) => t.group);
      for (const piece of pieces(transitions, options)) {
        await options.store.commit(piece.plan);
        if (piece.plan.journal) journals.push(piece.plan.journal.id);
        for (const t of piece.transitions) {
          committed.add(t.group);
          const due = dueAlert(t.entity.key, t.entity.state);
          if (due) result.alerts.push(due);
        }
        result.changed += piece.transitions.length;
        result.unchanged += piece.transitions.reduce((n, t) => n + t.unchanged, 0);
        result.commits++;
        result.items += piece.plan.entities.length + (piece.plan.journal ? 1 : 0);
      }
      pending = [];
    } catch (error) {
      if (!retriedHere(error) || attempt >= maxRetries) throw error;
      pending = pending.filter((g) => !committed.has(g));
      // Full jitter: concurrent writers of the same entity, or of a throttled partition, spread out instead of
      // colliding again.
      await pause(backoffMs(attempt, 10, 1000));
    }
  }
  if (options.fold === false) return result;
  // Folding even when nothing was committed finishes what a stopped run left: its journals are waiting.
  const fold = await foldJournals(options, journals);
  result.folded = fold.journals;
  result.items += fold.items;
  return result;
};

/**
 * Marks announced alerts so that they are not announced again: each response whose stored state still
 * carries a pending alert gets `announced`, conditioned on the revision read like any entity write (a
 * concurrent commit plans again from the new mark, or carries the pending one over and announces it again;
 * the alert function records one alert per response either way). Nothing else of the state changes, so no
 * figure moves. Conflicts and throttling are retried as in `applyEvents`. Answers how many were marked.
 */
export const markAlertsAnnounced = async (
  keys: readonly string[],
  options: Omit<ApplyOptions, 'now'>,
): Promise<number> => {
  const { store, model, ctx, maxItemsPerCommit = 100, maxRetries = 8 } = options;
  const pause = options.sleep ?? sleep;
  let left = [...new Set(keys)];
  let marked = 0;
  for (let attempt = 0; left.length > 0; attempt++) {
    try {
      const stored = await store.loadEntities(left);
      const entities: CommitPlan['entities'] = [];
      for (const key of left) {
        const entry = stored.get(key);
        if (entry?.value.alert?.status !== 'pending') continue;
        const state = withAlertMark(entry.value, { status: 'announced' });
        entities.push({ key, state, listing: model.listing(state, ctx), expectedRev: entry.rev });
      }
      left = entities.map((e) => e.key);
      for (let i = 0; i < entities.length; i += maxItemsPerCommit) {
        const chunk = entities.slice(i, i + maxItemsPerCommit);
        await store.commit({ entities: chunk, journal: undefined });
        const done = new Set(chunk.map((e) => e.key));
        left = left.filter((key) => !done.has(key));
        marked += chunk.length;
      }
      return marked;
    } catch (error) {
      if (!retriedHere(error) || attempt >= maxRetries) throw error;
      await pause(backoffMs(attempt, 10, 1000));
    }
  }
  return marked;
};

/** Reads the groups' entities and applies each group's events to its state, with the deltas that change makes. */
const readAndApply = async (groups: readonly EntityGroup[], { store, model, ctx, now }: ApplyOptions) => {
  const stored = await store.loadEntities(groups.map((g) => g.key));
  const transitions: Transition[] = [];
  const alerts: DueAlert[] = [];
  let unchanged = 0;
  for (const group of groups) {
    const before = stored.get(group.key);
    let state = before?.value;
    let skipped = 0;
    let lastApplied: CanonicalEvent | undefined;
    for (const event of group.events) {
      const next = applyEvent(state, event);
      if (next) {
        state = next;
        lastApplied = event;
      } else skipped++;
    }
    if (!state || skipped === group.events.length) {
      unchanged += skipped;
      // Committed earlier but not announced (the process stopped in between): announce it now.
      const due = before && dueAlert(group.key, before.value);
      if (due) alerts.push(due);
      continue;
    }
    state = withAlertMark(state, alertMarkOf(before?.value, state, tooOldToAlert(lastApplied, state, now())));
    const deltas = new Deltas();
    deltas.addDifference(before ? model.contributions(before.value, ctx) : [], model.contributions(state, ctx));
    const entity = { key: group.key, state, listing: model.listing(state, ctx), expectedRev: before?.rev ?? null };
    transitions.push({ group, entity, deltas, unchanged: skipped });
  }
  return { transitions, unchanged, alerts };
};

/**
 * Cuts the transitions into consecutive commits of at most `maxItemsPerCommit - 1` entity states and
 * MAX_JOURNAL_KEYS journal keys, each with the journal of its states' deltas.
 */
function* pieces(
  transitions: readonly Transition[],
  { now, maxItemsPerCommit = 100 }: ApplyOptions,
): Generator<{ transitions: Transition[]; plan: CommitPlan }> {
  let piece: Transition[] = [];
  let deltas = new Deltas();
  const cut = () => {
    const id = `${now().toISOString()}#${crypto.randomUUID()}`;
    const journal = deltas.byKey.size > 0 ? { id, deltas: deltas.byKey } : undefined;
    return { transitions: piece, plan: { entities: piece.map((t) => t.entity), journal } };
  };
  for (const t of transitions) {
    let keys = deltas.byKey.size;
    for (const key of t.deltas.byKey.keys()) if (!deltas.byKey.has(key)) keys++;
    if (piece.length > 0 && (piece.length + 2 > maxItemsPerCommit || keys > MAX_JOURNAL_KEYS)) {
      yield cut();
      piece = [];
      deltas = new Deltas();
    }
    piece.push(t);
    for (const [key, values] of t.deltas.byKey) deltas.add(key, values);
  }
  if (piece.length > 0) yield cut();
}

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
