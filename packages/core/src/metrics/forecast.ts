import type { MetricContext } from '../context.js';
import { dealMoney, toMajor, toMinor } from '../money.js';
import { type Month, monthOf, monthRange } from '../period.js';
import type { InsightsStore } from '../ports.js';
import type { EntityState } from '../state.js';
import type { Contribution, Values } from '../values.js';
import type { Budget, StageProbabilities } from './budgets.js';
import { type Aggregates, latestUpdate, round3 } from './figures.js';
import {
  byCurrency,
  byStage,
  currencyField,
  keys,
  NO_CLOSE_MONTH,
  parseStageMember,
  partitions,
  type StageRef,
  stageMember,
} from './keys.js';

/**
 * Forecast against budget. Open deals are kept per expected close month and stage (`forecast-open`; a stage is
 * its source's stage id, `stageMember`), so a forecast reads one partition and weighs each stage's open value by
 * that stage's probability: the share of the company's closed deals of that source that reached the stage and
 * were won (metrics/stages.ts), or the override set for it. Sold is the month's won value (the pipeline flow).
 * Budgets are configuration documents.
 */
export const forecastContributions = (state: EntityState<'deal'>, ctx: MetricContext): Contribution[] => {
  const { status, expectedCloseDate, stage, ownerId } = state.data;
  if (status !== 'open') return [];
  const deal = dealMoney(state);
  const month = expectedCloseDate ? monthOf(expectedCloseDate, ctx.timeZone) : null;
  const values: Values = { openCount: 1, ...(deal ? { [currencyField('openValue', deal.currency)]: deal.minor } : {}) };
  const out = [{ key: keys.forecastOpen(null, month, state.source, stage), values }];
  if (ownerId) out.push({ key: keys.forecastOpen(ownerId, month, state.source, stage), values });
  return out;
};

/** The overrides by source, then stage id. */
export type StageOverrides = StageProbabilities['probabilities'];

/** The override set for a stage, if any (own properties only: a source may be called `constructor`). */
const overrideOf = (overrides: StageOverrides, { source, stage }: StageRef): number | null => {
  const stages = Object.hasOwn(overrides, source) ? overrides[source] : undefined;
  return stages && Object.hasOwn(stages, stage) ? (stages[stage] ?? null) : null;
};

/** A stage's probability: learnt (with its sample), overridden, and the one the forecast uses. */
export interface StageProbability extends StageRef {
  learnt: number | null;
  /** Closed deals that reached the stage (the learnt value's sample), and of them those won. */
  sample: number;
  won: number;
  override: number | null;
  /** override, else learnt; null (the stage's open value weighs nothing) without either. */
  used: number | null;
}

/** The probability of every stage that has a sample, an override or open deals, by stage member (`stageMember`). */
export const stageProbabilities = (
  times: Aggregates,
  overrides: StageOverrides,
  openStages: Iterable<StageRef>,
): Map<string, StageProbability> => {
  const out = new Map<string, StageProbability>();
  const entry = (ref: StageRef, sample: number, won: number): StageProbability => {
    const learnt = sample === 0 ? null : won / sample;
    const override = overrideOf(overrides, ref);
    return { source: ref.source, stage: ref.stage, learnt, sample, won, override, used: override ?? learnt };
  };
  for (const [member, view] of times) {
    const ref = parseStageMember(member);
    if (!ref || ref.stage === '') continue;
    const sample = view.values.reachedClosed ?? 0;
    if (sample > 0) out.set(stageMember(ref.source, ref.stage), entry(ref, sample, view.values.reachedWon ?? 0));
  }
  const overridden = Object.entries(overrides).flatMap(([source, stages]) =>
    Object.keys(stages).map((stage) => ({ source, stage })),
  );
  for (const ref of [...overridden, ...openStages]) {
    const member = stageMember(ref.source, ref.stage);
    if (!out.has(member)) out.set(member, entry(ref, 0, 0));
  }
  return out;
};

/** Per currency, in minor units (weighted values are fractional): sold, weighted pipeline, budget. */
type Sums = Map<string, { sold: number; weightedPipeline: number; budget: number }>;
const sumsOf = (sums: Sums, currency: string) => {
  let s = sums.get(currency);
  if (!s) {
    s = { sold: 0, weightedPipeline: 0, budget: 0 };
    sums.set(currency, s);
  }
  return s;
};

/** The months a forecast covers, for the company (owner null) or one owner, and the month in progress. */
export interface ForecastRange {
  from: Month;
  to: Month;
  owner: string | null;
  current: Month;
}

/** Reads what a forecast of the months of `range` needs besides the configuration documents. */
export const readForecastAggregates = async (
  store: Pick<InsightsStore, 'getAggregates' | 'listAggregatePartition'>,
  range: Omit<ForecastRange, 'current'>,
): Promise<Pick<ForecastInputs, 'times' | 'open' | 'flows'>> => {
  const [times, open, flows] = await Promise.all([
    store.listAggregatePartition(partitions.stageTimes),
    store.listAggregatePartition(partitions.forecastOpen(range.owner)),
    store.getAggregates(monthRange(range.from, range.to).map((m) => keys.pipeline(m, range.owner))),
  ]);
  return { times, open, flows };
};

export interface ForecastInputs {
  /** `stage-times`: the learnt probabilities' counts. */
  times: Aggregates;
  overrides: StageOverrides;
  /** `forecast-open[#owner]`, member `{month|none}#stage={source}:{id}` → open count and value per currency. */
  open: Aggregates;
  /** The pipeline flow of each month of the range (won value). */
  flows: Aggregates;
  /** Budgets by month. */
  budgets: ReadonlyMap<Month, Budget>;
}

/**
 * The forecast of each month from `from` to `to` for the company (owner null) or one owner. An open deal is
 * placed in its expected close month, weighed by its stage's probability; one whose expected close date has
 * passed is still open, so it is placed in the current month; one without an expected close date is in no
 * month, reported apart (`unscheduled`). Months before the current one hold what was sold only. Accumulated
 * figures sum the months of the range up to each month. Each currency is summed on its own: the base one is
 * the headline, others are beside it, never converted.
 */
export const forecastReport = (range: ForecastRange, inputs: ForecastInputs, ctx: MetricContext) => {
  const base = ctx.baseCurrency;
  const months = monthRange(range.from, range.to);
  const perMonth = new Map<Month, Sums>(months.map((m) => [m, new Map()]));
  const unscheduled: Sums = new Map();
  let unscheduledCount = 0;

  // Each open deal is weighed by its own source's stage: the stage member is the key of both.
  const openStages: StageRef[] = [];
  const placed: { month: string; member: string; values: Values }[] = [];
  for (const [member, view] of inputs.open) {
    const hash = member.indexOf('#');
    const ref = parseStageMember(member.slice(hash + 1));
    if (hash < 0 || !ref || (view.values.openCount ?? 0) === 0) continue;
    // A deal in no stage has no probability: it weighs nothing.
    if (ref.stage !== '') openStages.push(ref);
    placed.push({ month: member.slice(0, hash), member: stageMember(ref.source, ref.stage), values: view.values });
  }
  const probabilities = stageProbabilities(inputs.times, inputs.overrides, openStages);

  for (const { month, member, values } of placed) {
    const weight = probabilities.get(member)?.used ?? 0;
    const target = month === NO_CLOSE_MONTH ? unscheduled : perMonth.get(month < range.current ? range.current : month);
    if (month === NO_CLOSE_MONTH) unscheduledCount += values.openCount ?? 0;
    if (!target) continue;
    for (const [currency, minor] of Object.entries(byCurrency(values, 'openValue')))
      sumsOf(target, currency).weightedPipeline += minor * weight;
  }
  for (const month of months) {
    const sums = perMonth.get(month) as Sums;
    if (month < range.current) for (const s of sums.values()) s.weightedPipeline = 0;
    const flow = inputs.flows.get(keys.pipeline(month, range.owner))?.values ?? {};
    for (const [currency, minor] of Object.entries(byCurrency(flow, 'wonValue'))) sumsOf(sums, currency).sold += minor;
    const budget = inputs.budgets.get(month);
    const planned = budget && (range.owner === null ? budget.company : budget.owners[range.owner]);
    if (budget && planned !== null && planned !== undefined)
      sumsOf(sums, budget.currency).budget += toMinor(planned, budget.currency);
  }

  const figures = (s: { sold: number; weightedPipeline: number; budget: number }, currency: string) => ({
    sold: toMajor(s.sold, currency),
    weightedPipeline: toMajor(s.weightedPipeline, currency),
    forecast: toMajor(s.sold + s.weightedPipeline, currency),
    budget: toMajor(s.budget, currency),
  });
  const running: Sums = new Map();
  const budgeted = new Set<string>();
  const rows = months.map((month) => {
    const sums = perMonth.get(month) as Sums;
    const budget = inputs.budgets.get(month);
    const hasBudget =
      budget !== undefined &&
      (range.owner === null ? budget.company !== null : Object.hasOwn(budget.owners, range.owner));
    if (hasBudget) budgeted.add(budget.currency);
    for (const [currency, s] of sums) {
      const r = sumsOf(running, currency);
      r.sold += s.sold;
      r.weightedPipeline += s.weightedPipeline;
      r.budget += s.budget;
    }
    const currencies = new Set([base, ...sums.keys(), ...running.keys()]);
    const block = (currency: string) => {
      const own = figures(sums.get(currency) ?? { sold: 0, weightedPipeline: 0, budget: 0 }, currency);
      return {
        ...own,
        budget: hasBudget && budget.currency === currency ? own.budget : null,
        accumulated: {
          ...figures(running.get(currency) ?? { sold: 0, weightedPipeline: 0, budget: 0 }, currency),
          ...(budgeted.has(currency) ? {} : { budget: null }),
        },
      };
    };
    return {
      month,
      ...block(base),
      otherCurrencies: Object.fromEntries([...currencies].filter((c) => c !== base).map((c) => [c, block(c)] as const)),
    };
  });
  const unscheduledBase = figures(unscheduled.get(base) ?? { sold: 0, weightedPipeline: 0, budget: 0 }, base);
  return {
    from: range.from,
    to: range.to,
    owner: range.owner,
    currency: base,
    currentMonth: range.current,
    months: rows,
    unscheduled: {
      count: unscheduledCount,
      weightedPipeline: unscheduledBase.weightedPipeline,
      otherCurrencies: Object.fromEntries(
        [...unscheduled]
          .filter(([c]) => c !== base)
          .map(([c, s]) => [c, { weightedPipeline: toMajor(s.weightedPipeline, c) }]),
      ),
    },
    probabilities: [...probabilities.values()].sort(byStage).map((p) => ({
      ...p,
      learnt: p.learnt === null ? null : round3(p.learnt),
      used: p.used === null ? null : round3(p.used),
    })),
    updatedAt: latestUpdate([...inputs.open.values(), ...inputs.flows.values(), ...inputs.times.values()]),
  };
};
export type ForecastReport = ReturnType<typeof forecastReport>;
