import type { MetricContext } from '../context.js';
import { InvalidValueError } from '../errors.js';
import { toMajor } from '../money.js';
import { addMonths, type Month, yearOfMonth } from '../period.js';
import { addValues, type Values } from '../values.js';
import { byCurrency, keys } from './keys.js';
import { npsFigure } from './nps.js';

/** An aggregate as read back: its summed values and when a commit last changed it. */
export interface AggregateView {
  values: Values;
  updatedAt?: string | undefined;
}
type Aggregates = ReadonlyMap<string, AggregateView>;

const round1 = (n: number) => Math.round(n * 10) / 10;
const round3 = (n: number) => Math.round(n * 1000) / 1000;
const pct = (part: number, whole: number): number | null => (whole === 0 ? null : round1((100 * part) / whole));
/** When the newest of some aggregates last changed; null when none has. */
export const latestUpdate = (views: Iterable<AggregateView | undefined>): string | null => {
  let max: string | null = null;
  for (const v of views) if (v?.updatedAt && (!max || v.updatedAt > max)) max = v.updatedAt;
  return max;
};

/** Per-currency sums in major units, every currency but the base one. */
const others = (sums: Record<string, Record<string, number>>, base: string) => {
  const out: Record<string, Record<string, number>> = {};
  for (const [currency, fields] of Object.entries(sums)) {
    if (currency === base) continue;
    out[currency] = Object.fromEntries(Object.entries(fields).map(([k, minor]) => [k, toMajor(minor, currency)]));
  }
  return out;
};

/** Regroups `{ thisMonth: {EUR: 1}, lastMonth: {USD: 2} }` as `{ EUR: {thisMonth: 1, lastMonth: 0}, USD: … }`. */
const perCurrency = (named: Record<string, Record<string, number>>): Record<string, Record<string, number>> => {
  const currencies = new Set(Object.values(named).flatMap((m) => Object.keys(m)));
  const out: Record<string, Record<string, number>> = {};
  for (const currency of currencies) {
    out[currency] = Object.fromEntries(Object.entries(named).map(([name, m]) => [name, m[currency] ?? 0]));
  }
  return out;
};

export const billingFigure = (period: Month, aggregates: Aggregates, ctx: MetricContext) => {
  const current = aggregates.get(keys.billing(period));
  const previous = aggregates.get(keys.billing(addMonths(period, -1)));
  const thisMinor = byCurrency(current?.values ?? {}, 'amount');
  const lastMinor = byCurrency(previous?.values ?? {}, 'amount');
  const base = ctx.baseCurrency;
  const thisMonth = toMajor(thisMinor[base] ?? 0, base);
  const lastMonth = toMajor(lastMinor[base] ?? 0, base);
  return {
    thisMonth,
    lastMonth,
    changePct: lastMinor[base] ? pct((thisMinor[base] ?? 0) - lastMinor[base], lastMinor[base]) : null,
    otherCurrencies: others(perCurrency({ thisMonth: thisMinor, lastMonth: lastMinor }), base),
    updatedAt: latestUpdate([current]),
  };
};

export const marginFigure = (year: string, aggregates: Aggregates, ctx: MetricContext) => {
  const view = aggregates.get(keys.margin(year));
  const billing = byCurrency(view?.values ?? {}, 'billing');
  const cost = byCurrency(view?.values ?? {}, 'cost');
  const margin: Record<string, number> = {};
  for (const c of new Set([...Object.keys(billing), ...Object.keys(cost)]))
    margin[c] = (billing[c] ?? 0) - (cost[c] ?? 0);
  const base = ctx.baseCurrency;
  return {
    year: Number(year),
    billing: toMajor(billing[base] ?? 0, base),
    cost: toMajor(cost[base] ?? 0, base),
    margin: toMajor(margin[base] ?? 0, base),
    marginPct: pct(margin[base] ?? 0, billing[base] ?? 0),
    otherCurrencies: others(perCurrency({ billing, cost, margin }), base),
    updatedAt: latestUpdate([view]),
  };
};

/** The values of several aggregates summed (e.g. the flow of the months requirements look back over). */
export const sumViews = (views: Iterable<AggregateView | undefined>): Values => {
  let out: Values = {};
  for (const v of views) out = addValues(out, v?.values ?? {});
  return out;
};

/**
 * Hit rate, average deal size (major units) and lead time (days) from summed flow values, in the base
 * currency, unrounded: what is derived from them (the requirements) is computed from these, and only what
 * is shown is rounded.
 */
const flowRatios = (flow: Values, base: string) => {
  const won = flow.won ?? 0;
  const lost = flow.lost ?? 0;
  const wonValue = byCurrency(flow, 'wonValue')[base] ?? 0;
  const wonCount = byCurrency(flow, 'wonCount')[base] ?? 0;
  const leadCount = flow.leadCount ?? 0;
  return {
    hitRate: won + lost === 0 ? null : won / (won + lost),
    avgDealSize: wonCount === 0 ? null : toMajor(wonValue, base) / wonCount,
    leadTimeDays: leadCount === 0 ? null : (flow.leadSeconds ?? 0) / 86_400 / leadCount,
  };
};

/** The flow figures as shown: counts, won value, and the ratios rounded. */
const flowFigures = (flow: Values, base: string) => {
  const exact = flowRatios(flow, base);
  const wonValue = byCurrency(flow, 'wonValue')[base] ?? 0;
  const wonCount = byCurrency(flow, 'wonCount')[base] ?? 0;
  return {
    created: flow.created ?? 0,
    won: flow.won ?? 0,
    lost: flow.lost ?? 0,
    wonValue: toMajor(wonValue, base),
    hitRate: exact.hitRate === null ? null : round3(exact.hitRate),
    avgDealSize: wonCount === 0 ? null : toMajor(Math.round(wonValue / wonCount), base),
    leadTimeDays: exact.leadTimeDays === null ? null : round1(exact.leadTimeDays),
  };
};

export const pipelineFigure = (period: Month, aggregates: Aggregates, ctx: MetricContext, owner?: string | null) => {
  const flow = aggregates.get(keys.pipeline(period, owner));
  const open = aggregates.get(keys.openPipeline(owner));
  const base = ctx.baseCurrency;
  const figures = flowFigures(flow?.values ?? {}, base);
  const openValues = open?.values ?? {};
  return {
    created: figures.created,
    won: figures.won,
    lost: figures.lost,
    wonValue: figures.wonValue,
    openCount: openValues.openCount ?? 0,
    openValue: toMajor(byCurrency(openValues, 'openValue')[base] ?? 0, base),
    hitRate: figures.hitRate,
    avgDealSize: figures.avgDealSize,
    leadTimeDays: figures.leadTimeDays,
    otherCurrencies: others(
      perCurrency({
        wonValue: byCurrency(flow?.values ?? {}, 'wonValue'),
        openValue: byCurrency(openValues, 'openValue'),
      }),
      base,
    ),
    updatedAt: latestUpdate([flow, open]),
  };
};

/** The aggregate keys `GET /v1/metrics` needs for a period: all read in one request. */
export const metricsAggregateKeys = (period: Month): string[] => [
  keys.nps(period),
  keys.billing(period),
  keys.billing(addMonths(period, -1)),
  keys.margin(yearOfMonth(period)),
  keys.customers,
  keys.pipeline(period),
  keys.openPipeline(),
];

/** The `GET /v1/metrics` answer for a period, from the aggregates read for `metricsAggregateKeys`. */
export const metricsReport = (period: Month, aggregates: Aggregates, ctx: MetricContext, asOf: Date) => {
  const nps = aggregates.get(keys.nps(period));
  const customers = aggregates.get(keys.customers);
  return {
    period,
    timezone: ctx.timeZone,
    currency: ctx.baseCurrency,
    asOf: asOf.toISOString(),
    nps: { ...npsFigure(nps?.values), updatedAt: latestUpdate([nps]) },
    billing: billingFigure(period, aggregates, ctx),
    margin: marginFigure(yearOfMonth(period), aggregates, ctx),
    activeCustomers: customers?.values.active ?? 0,
    prospectsInPipeline: customers?.values.prospects ?? 0,
    customersUpdatedAt: latestUpdate([customers]),
    pipeline: pipelineFigure(period, aggregates, ctx),
  };
};

/** Days in an average Gregorian month: converts a lead time in days into months of pipeline. */
export const DAYS_PER_MONTH = 30.4375;

export interface RequirementsInput {
  period: Month;
  budget: number;
  owner?: string | null | undefined;
  months: number;
}

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
  };
};
