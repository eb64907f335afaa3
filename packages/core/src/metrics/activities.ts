import { ACTIVITY_KINDS, type ActivityKind } from '../activity-kinds.js';
import type { MetricContext } from '../context.js';
import { instantOf, monthOf } from '../period.js';
import type { EntityState } from '../state.js';
import type { Contribution, Listing, Values } from '../values.js';
import { lists } from './keys.js';
import { activitySegmentContributions } from './segments.js';

/**
 * Activities (contract section 8): meetings, calls, e-mails and tasks. An activity is planned while `doneAt`
 * is null and done from `doneAt` on.
 *
 * Sums: each counts once in a month, as `<kind>Planned` in the month it is due or `<kind>Done` in the month it
 * was done, per owner and per customer segment and channel (segments.ts), for the activity reports.
 * Windows that move with the clock ("meetings planned in the next 14 days", "met in the last 90 days") cannot
 * be sums: each owner's activities are listed by time instead (planned by due instant, done by done instant),
 * and the KPIs read the slice of the list the window covers at the moment they are asked.
 */

export const activityField = (kind: ActivityKind, status: 'Planned' | 'Done') => `${kind}${status}`;

export const activityContributions = (state: EntityState<'activity'>, ctx: MetricContext): Contribution[] => {
  const { kind, doneAt, dueAt } = state.data;
  const when = doneAt ?? dueAt;
  if (!when) return [];
  return activitySegmentContributions(
    state,
    monthOf(when, ctx.timeZone),
    activityField(kind, doneAt ? 'Done' : 'Planned'),
  );
};

/** Sort key of an instant in an activity list: UTC ISO 8601, which sorts as time does. */
export const listInstant = (timestamp: string, ctx: MetricContext): string =>
  new Date(instantOf(timestamp, ctx.timeZone)).toISOString();

/** Where an activity without a due date sorts among the planned ones: after every dated one. */
export const NO_DUE_DATE = '9999-12-31T23:59:59.999Z';

/** An owner's activity in the owner's planned or done list; activities without an owner are in none. */
export const activityListing = (state: EntityState<'activity'>, ctx: MetricContext): Listing | undefined => {
  const { ownerId, doneAt, dueAt } = state.data;
  if (!ownerId) return undefined;
  const suffix = `#${state.source}#${state.id}`;
  return doneAt
    ? { list: lists.doneActivities(ownerId), sort: `${listInstant(doneAt, ctx)}${suffix}` }
    : { list: lists.plannedActivities(ownerId), sort: `${dueAt ? listInstant(dueAt, ctx) : NO_DUE_DATE}${suffix}` };
};

/** The slice of an activity list between two instants, both included, as listEntities takes it. */
export const activityWindow = (from: Date, to: Date) => ({
  from: from.toISOString(),
  to: `${to.toISOString()}#\uffff`,
  oldestFirst: true,
});

/** Activities per kind, planned and done, from summed month values. */
export const activityCounts = (values: Values) =>
  Object.fromEntries(
    ACTIVITY_KINDS.map((kind) => [
      kind,
      { planned: values[activityField(kind, 'Planned')] ?? 0, done: values[activityField(kind, 'Done')] ?? 0 },
    ]),
  ) as Record<ActivityKind, { planned: number; done: number }>;
