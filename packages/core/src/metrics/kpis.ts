import * as z from 'zod';
import { ACTIVITY_KINDS } from '../activity-kinds.js';
import { builtOnce } from '../built-once.js';

/**
 * KPI targets per user profile. A profile holds a few KPIs built from templates, each with a target; a user
 * belongs to a profile. How each template is scored against its target: kpi-score.ts.
 */
export const MAX_KPIS_PER_PROFILE = 10;

export const kpiDefinitionSchema = builtOnce(() => {
  const target = z.number().finite().nonnegative();
  const days = z.number().int().min(1).max(365);
  const months = z.number().int().min(1).max(24);
  const label = z.string().min(1).max(100).optional();
  return z.discriminatedUnion('template', [
    /** Open deals whose expected close date falls in the next `days` days. */
    z.object({ template: z.literal('openDealsPlanned'), target, days: days.default(30), label }),
    /** Deals created this month. */
    z.object({ template: z.literal('dealsCreated'), target, label }),
    /** Value won this month against a monthly budget, in the base currency. */
    z.object({ template: z.literal('wonValue'), target, label }),
    /** Hit rate in percent over the last `months` months, this one included. */
    z.object({ template: z.literal('hitRate'), target: target.max(100), months: months.default(6), label }),
    /** NPS of the customers the user owns over the last `months` months, this one included. */
    z.object({
      template: z.literal('nps'),
      target: z.number().finite().min(-100).max(100),
      months: months.default(3),
      label,
    }),
    /** The user's meetings not done whose due time falls in the next `days` days (contract 8). */
    z.object({ template: z.literal('meetingsPlanned'), target, days: days.default(14), label }),
    /**
     * The share, in percent, of the customers the user is key account manager of (the customer's `ownerId` is one
     * of the user's ids) with a meeting of the user done in the last `days` days (contract 8).
     */
    z.object({ template: z.literal('keyAccountsMet'), target: target.max(100), days: days.default(90), label }),
    /** The user's activities (of one kind, or of every kind) done in the last `days` days. */
    z.object({
      template: z.literal('activitiesDone'),
      target,
      kind: z.enum(ACTIVITY_KINDS).optional(),
      days: days.default(30),
      label,
    }),
    /** The user's open deals without an activity of the user planned from now on; the target is a ceiling. */
    z.object({ template: z.literal('dealsWithoutNextActivity'), target, label }),
    /** The user's open deals whose expected close date has passed; the target is a ceiling. */
    z.object({ template: z.literal('dealsPastCloseDate'), target, label }),
  ]);
});
export type KpiDefinition = z.output<ReturnType<typeof kpiDefinitionSchema>>;
export type KpiTemplate = KpiDefinition['template'];

export const profileSchema = builtOnce(() =>
  z.object({
    name: z.string().min(1).max(100),
    kpis: z
      .array(kpiDefinitionSchema())
      .max(
        MAX_KPIS_PER_PROFILE,
        `a profile holds at most ${MAX_KPIS_PER_PROFILE} KPIs: a few targets people can act on coach better than many`,
      ),
  }),
);
export type Profile = z.output<ReturnType<typeof profileSchema>>;

export const userSchema = builtOnce(() =>
  z.object({
    name: z.string().min(1).max(100),
    profileId: z.string().min(1).max(256),
    /** The user's ids in the CRMs (HubSpot owner id, Pipedrive user id…); defaults to the user id. */
    ownerIds: z.array(z.string().min(1).max(256)).min(1).max(10).optional(),
  }),
);
export type User = z.output<ReturnType<typeof userSchema>>;

/** What `POST /v1/users/{id}/tokens` takes: a personal read token's label and whether it sees company figures. */
export const personalTokenSchema = builtOnce(() =>
  z.object({
    label: z.string().min(1).max(100).optional(),
    /** Company-wide figures (metrics, segments, alerts, everyone's pipeline) besides the user's own. */
    companyFigures: z.boolean().default(false),
  }),
);
