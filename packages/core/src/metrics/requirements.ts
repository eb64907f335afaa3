import type { MetricContext } from '../context.js';
import { InvalidValueError } from '../errors.js';
import { toMajor } from '../money.js';
import { addMonths, type Month } from '../period.js';
import { type Aggregates, sumViews } from './figures.js';
import { byCurrency, keys } from './keys.js';
import { flowFigures, flowRatios } from './pipeline.js';

/** Days in an average Gregorian month: converts a lead time in days into months of pipeline. */
export const DAYS_PER_MONTH = 30.4375;

export interface RequirementsInput {
  period: Month;
  budget: number;
  owner?: string | null | undefined;
  months: number;
  /** What-if changes to the levers, each applied alone and all together (see `whatIf`). */
  changes?: readonly LeverChange[] | undefined;
}

/**
 * The levers a what-if may change: hit rate, average deal size, lead time and new opportunities per month,
 * the four factors of sales velocity (opportunities × deal size × hit rate ÷ lead time).
 */
export const LEVERS = ['hitRate', 'dealSize', 'leadTime', 'opportunities'] as const;
export type Lever = (typeof LEVERS)[number];

/**
 * A change to one lever: `%` relative to the current value; `pt` percentage points (hit rate only); no unit,
 * the lever's own unit (base-currency major units for deal size, days for lead time, opportunities per month).
 */
export interface LeverChange {
  lever: Lever;
  by: number;
  unit: '%' | 'pt' | 'own';
  /** As written, normalised: `+2pt`, `-1%`. */
  text: string;
}

/**
 * Each lever's absolute change: an example and what it counts. The hit rate's is in percentage points and
 * must say so (`+2pt`), so that `hitRate=2` is refused rather than guessed; the others are plain numbers.
 */
export const LEVER_ABSOLUTE: Record<Lever, { example: string; counts: string }> = {
  hitRate: { example: '+2pt', counts: 'percentage points' },
  dealSize: { example: '+1000', counts: 'in the base currency' },
  leadTime: { example: '-3', counts: 'days' },
  opportunities: { example: '+2', counts: 'opportunities a month' },
};

// A sign (a `+` sent unencoded in a query string reads as a space), up to 6 digits and 6 decimals, a unit.
const CHANGE = /^([+\- ]?)(\d{1,6}(?:\.\d{1,6})?)(pt|%)?$/;

/**
 * Reads a lever change such as `+2pt`, `-1%`, `-3` (see LeverChange); throws InvalidValueError saying what to
 * send. A relative change of -100 % or less would leave nothing to divide by, so it is refused.
 */
export const parseLeverChange = (lever: Lever, raw: string): LeverChange => {
  const [, sign, digits, unit] = CHANGE.exec(raw) ?? [];
  const inPoints = lever === 'hitRate';
  if (digits === undefined || ((unit === 'pt') !== inPoints && unit !== '%')) {
    const { example, counts } = LEVER_ABSOLUTE[lever];
    throw new InvalidValueError(
      `${lever} must be a change such as ${example} (${counts}) or -1% (relative): a sign, up to 6 digits and 6 decimals, ${inPoints ? '"pt" or "%"' : 'optionally "%"'}`,
    );
  }
  const by = (sign === '-' ? -1 : 1) * Number(digits);
  if (unit === '%' && by <= -100) throw new InvalidValueError(`${lever} cannot fall by 100 % or more`);
  const kind = unit === '%' ? '%' : unit === 'pt' ? 'pt' : 'own';
  return { lever, by, unit: kind, text: `${by < 0 ? '-' : '+'}${Math.abs(by)}${unit ?? ''}` };
};

/** The N full months before the period, oldest first. */
export const lookbackMonths = (period: Month, months: number): Month[] =>
  Array.from({ length: months }, (_, i) => addMonths(period, i - months));

export const requirementsAggregateKeys = ({ period, owner, months }: RequirementsInput): string[] => [
  ...lookbackMonths(period, months).map((m) => keys.pipeline(m, owner)),
  keys.openPipeline(owner),
];

/**
 * What the pipeline must hold to reach a monthly budget, from the hit rate, average deal size and lead time
 * of the N full months before the period, each beside the actual figure.
 */
export const pipelineRequirements = (input: RequirementsInput, aggregates: Aggregates, ctx: MetricContext) => {
  if (!(input.budget > 0)) throw new InvalidValueError('budget must be a positive number');
  const base = ctx.baseCurrency;
  const lookback = lookbackMonths(input.period, input.months);
  const flow = sumViews(lookback.map((m) => aggregates.get(keys.pipeline(m, input.owner))));
  const figures = flowFigures(flow, base);
  const exact = flowRatios(flow, base);
  const open = aggregates.get(keys.openPipeline(input.owner))?.values ?? {};
  const requiredNewValuePerMonth = exact.hitRate ? input.budget / exact.hitRate : null;
  const requiredNewCountPerMonth =
    requiredNewValuePerMonth !== null && exact.avgDealSize ? requiredNewValuePerMonth / exact.avgDealSize : null;
  const requiredPipelineValue =
    requiredNewValuePerMonth !== null && exact.leadTimeDays !== null
      ? (requiredNewValuePerMonth * exact.leadTimeDays) / DAYS_PER_MONTH
      : null;
  const round2 = (n: number | null) => (n === null ? null : Math.round(n * 100) / 100);
  const current: LeverValues = {
    hitRate: exact.hitRate,
    dealSize: exact.avgDealSize,
    leadTime: exact.leadTimeDays,
    opportunities: figures.created / input.months,
  };
  return {
    period: input.period,
    owner: input.owner ?? null,
    budget: input.budget,
    currency: base,
    basedOn: { from: lookback[0], to: lookback[lookback.length - 1], months: input.months },
    hitRate: figures.hitRate,
    avgDealSize: figures.avgDealSize,
    leadTimeDays: figures.leadTimeDays,
    requiredNewValuePerMonth: round2(requiredNewValuePerMonth),
    actualNewValuePerMonth: round2(toMajor(byCurrency(flow, 'createdValue')[base] ?? 0, base) / input.months),
    requiredNewCountPerMonth: round2(requiredNewCountPerMonth),
    actualNewCountPerMonth: round2(figures.created / input.months),
    requiredPipelineValue: round2(requiredPipelineValue),
    actualPipelineValue: toMajor(byCurrency(open, 'openValue')[base] ?? 0, base),
    whatIf: input.changes?.length ? whatIf(input.budget, current, input.changes) : null,
  };
};

/** The levers' values, exact: hit rate a ratio, deal size major units, lead time days, opportunities a month. */
type LeverValues = Record<Lever, number | null>;

/** What the required figures are with the levers at some values; null where a lever is unknown. */
const required = (budget: number, v: LeverValues) => {
  const newValue = v.hitRate ? budget / v.hitRate : null;
  return {
    requiredNewValuePerMonth: newValue,
    requiredNewCountPerMonth: newValue !== null && v.dealSize ? newValue / v.dealSize : null,
    requiredPipelineValue: newValue !== null && v.leadTime !== null ? (newValue * v.leadTime) / DAYS_PER_MONTH : null,
  };
};

/** A lever's value after a change; refuses values the figures cannot take (a hit rate above 100 %). */
const changed = (change: LeverChange, value: number | null): number | null => {
  if (value === null) return null;
  const next =
    change.unit === '%'
      ? value * (1 + change.by / 100)
      : change.unit === 'pt'
        ? value + change.by / 100
        : value + change.by;
  const [isValid, what] = VALID_LEVER[change.lever];
  if (!isValid(next))
    throw new InvalidValueError(`${change.lever}=${change.text} leaves no valid value: it needs ${what}`);
  return Math.max(0, change.lever === 'hitRate' ? Math.min(1, next) : next);
};

// The tolerance absorbs float rounding (0.55 + 0.45 is 1.0000000000000002); `changed` clamps it back.
const EPSILON = 1e-12;
const VALID_LEVER: Record<Lever, [(n: number) => boolean, string]> = {
  hitRate: [(n) => n > EPSILON && n <= 1 + EPSILON, 'a hit rate above 0 and at most 100 %'],
  dealSize: [(n) => n > EPSILON, 'a deal size above 0'],
  leadTime: [(n) => n >= -EPSILON, 'a lead time of 0 days or more'],
  opportunities: [(n) => n >= -EPSILON, '0 or more opportunities a month'],
};

/**
 * How many times the sales velocity (opportunities × deal size × hit rate ÷ lead time) the changed levers give,
 * against the current ones; null when a lever is unknown or zero now.
 */
const velocityRatio = (now: LeverValues, next: LeverValues): number | null => {
  let ratio = 1;
  for (const lever of LEVERS) {
    const [a, b] = [now[lever], next[lever]];
    if (a === b) continue;
    if (a === null || b === null) return null;
    // A shorter lead time turns the same pipeline into sales sooner: velocity divides by it.
    const [num, den] = lever === 'leadTime' ? [a, b] : [b, a];
    if (den === 0) return null;
    ratio *= num / den;
  }
  return ratio;
};

const round = (n: number | null, digits: number) => (n === null ? null : Math.round(n * 10 ** digits) / 10 ** digits);

/** The figures of one scenario: the levers as changed, what they require, and the sales velocity they give. */
const scenario = (budget: number, now: LeverValues, changes: readonly LeverChange[]) => {
  const next = { ...now };
  for (const change of changes) next[change.lever] = changed(change, next[change.lever]);
  const req = required(budget, next);
  const ratio = velocityRatio(now, next);
  return {
    changes: Object.fromEntries(changes.map((c) => [c.lever, c.text])),
    hitRate: round(next.hitRate, 4),
    avgDealSize: round(next.dealSize, 2),
    leadTimeDays: round(next.leadTime, 2),
    newCountPerMonth: round(next.opportunities, 2),
    requiredNewValuePerMonth: round(req.requiredNewValuePerMonth, 2),
    requiredNewCountPerMonth: round(req.requiredNewCountPerMonth, 2),
    requiredPipelineValue: round(req.requiredPipelineValue, 2),
    salesVelocityChangePct: ratio === null ? null : round(100 * (ratio - 1), 2),
    /** Unrounded, to rank the levers. */
    ratio,
  };
};

/**
 * What-if: each change applied alone, then all together, each with the required figures it gives; and the
 * lever whose change alone raises sales velocity most (the first in LEVERS order on a tie; null when none can
 * be compared). Velocity ranks all four levers on one scale: for hit rate and lead time it is the inverse of
 * the required pipeline value's change, for deal size of the required count's.
 */
const whatIf = (budget: number, now: LeverValues, changes: readonly LeverChange[]) => {
  const alone = changes.map((change) => scenario(budget, now, [change]));
  let best: (typeof alone)[number] | undefined;
  for (const s of alone) if (s.ratio !== null && (best?.ratio == null || s.ratio > best.ratio)) best = s;
  const strip = ({ ratio: _ratio, ...shown }: ReturnType<typeof scenario>) => shown;
  return {
    scenarios: alone.map(strip),
    combined: changes.length > 1 ? strip(scenario(budget, now, changes)) : null,
    bestLever: best ? (Object.keys(best.changes)[0] as Lever) : null,
  };
};
