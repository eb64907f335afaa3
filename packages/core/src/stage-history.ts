import { type CanonicalEvent, compareVersions, type Version } from './events.js';

/**
 * A deal's stage history: the stages its sources reported, each with when and in what order, kept in the
 * deal's entity state (`EntityState.stages`) so time in stage, the stage a deal was lost at and the stages a
 * closed deal reached are functions of the state, like every other contribution (rebuild recomputes them).
 *
 * Every delivery that names a stage is one observation:
 * - a HubSpot `dealstage` change (a timed patch): ordered and dated by its `occurredAt`;
 * - a snapshot (Pipedrive's `stage_id`, a generic deal's `stage`): ordered by the snapshot's version (Pipedrive
 *   `[update_time, meta.timestamp]`, the generic `version`) and dated by its `stageChangedAt` when the source
 *   gives one, else its `occurredAt` (Pipedrive's `meta.timestamp`; for the generic source the time the
 *   version was received).
 *
 * The history is the set of observations, whatever order they came in: an observation older than the state
 * (a late snapshot, a late property change) still joins it though it changes no field, and a duplicate changes
 * nothing. Two deliveries of one version that differ only in their date (a generic version sent twice) count
 * once, dated by the earlier, so the set and its order never depend on arrival order.
 */
export interface StageObservation {
  /** Order: the snapshot's version, or `[at]` for a patch. */
  k: Version;
  /** When the deal was seen in the stage, epoch ms. */
  at: number;
  stage: string;
  /** Whether the deal was open then (a HubSpot `closedwon` is a closing stage, not a stage a deal sits in). */
  open: boolean;
}

/**
 * The most observations a deal keeps: the newest by order. At the bound the oldest leaves, and with it the
 * stays and "reached" stages only it showed: the figures then describe the deal's latest 30 observations, the
 * same whichever order they arrived in (keeping the greatest N of a set is order-independent).
 *
 * Why 30: a deal's state and what one change of it moves stay small. Its stage figures touch at most one item
 * per stage seen and one per stay (29), about 60 journal keys beside the deal's 20-odd others, so deleting a
 * deal with a full history still commits as its state and one small journal (tests/unit/core/stages.test.ts),
 * and the state stays near 1 KB, one write unit.
 * HubSpot moves count one observation per stage change; Pipedrive and generic deals one per state received,
 * so a deal edited more than 30 times keeps its latest 30 states' stages.
 */
export const STAGE_HISTORY_LIMIT = 30;

/** The history's total order: by `k`, then stage, then open before closed. Equal means the same observation. */
const compareObservations = (a: StageObservation, b: StageObservation): number =>
  compareVersions(a.k, b.k) || (a.stage < b.stage ? -1 : a.stage > b.stage ? 1 : 0) || Number(b.open) - Number(a.open);

/** The stage observation an event carries, if it is a deal's and names a stage. */
export const stageObservation = (event: CanonicalEvent): StageObservation | undefined => {
  if (event.entity !== 'deal') return undefined;
  if (event.mode === 'patch') {
    const { stage, status } = event.changes;
    if (typeof stage !== 'string' || stage === '') return undefined;
    return { k: [event.at], at: event.at, stage, open: (status ?? 'open') === 'open' };
  }
  const { stage, status, stageChangedAt } = event.data;
  if (event.deleted || stage === null || stage === '') return undefined;
  return { k: event.version, at: Date.parse(stageChangedAt ?? event.occurredAt), stage, open: status === 'open' };
};

/**
 * The history with one more observation, ordered and bounded; undefined when it changes nothing (already
 * there with the same or an earlier date, or older than the bound keeps).
 */
export const withObservation = (
  history: readonly StageObservation[] = [],
  observation: StageObservation,
): StageObservation[] | undefined => {
  let index = history.findIndex((o) => compareObservations(o, observation) >= 0);
  if (index < 0) index = history.length;
  const found = history[index];
  if (found && compareObservations(found, observation) === 0) {
    if (found.at <= observation.at) return undefined;
    return history.map((o, i) => (i === index ? observation : o));
  }
  const next = [...history.slice(0, index), observation, ...history.slice(index)];
  if (next.length <= STAGE_HISTORY_LIMIT) return next;
  return index === 0 ? undefined : next.slice(next.length - STAGE_HISTORY_LIMIT);
};

/** A stay: the deal entered `stage` at `enteredAt` and left it (next stage, or closed) at `leftAt`, if it did. */
export interface StageStay {
  stage: string;
  enteredAt: number;
  leftAt: number | undefined;
}

/**
 * The stays the history shows: consecutive observations of one stage are one stay, entered at the first of
 * them. A stay ends when the next stage is observed, or when an observation in the same stage shows the deal
 * closed (Pipedrive and the generic source close a deal in the stage it sits in). A stay whose first
 * observation is already closed (HubSpot's `closedwon`) is no stay at all; the last stay of an open deal has
 * not ended.
 */
export const stageStays = (history: readonly StageObservation[]): StageStay[] => {
  const stays: StageStay[] = [];
  let current: (StageStay & { closed: boolean }) | undefined;
  for (const o of history) {
    if (current && o.stage === current.stage) {
      if (!o.open && current.leftAt === undefined) current.leftAt = o.at;
      continue;
    }
    if (current && current.leftAt === undefined) current.leftAt = o.at;
    current = { stage: o.stage, enteredAt: o.at, leftAt: o.open ? undefined : o.at, closed: !o.open };
    if (!current.closed) stays.push(current);
  }
  return stays.map(({ stage, enteredAt, leftAt }) => ({ stage, enteredAt, leftAt }));
};
