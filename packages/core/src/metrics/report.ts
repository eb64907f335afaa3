import type { MetricContext } from '../context.js';
import { toMajor } from '../money.js';
import {
  addMonths,
  clampedDay,
  type Day,
  dayRange,
  firstDayOf,
  isYear,
  lastDayOf,
  localDateOf,
  type Month,
  monthOfDay,
  monthRange,
  monthsSpan,
  type Period,
  previousPeriod,
  yearOfMonth,
} from '../period.js';
import type { ReportReader } from '../ports.js';
import type { Values } from '../values.js';
import { acquisitionHeadline } from './acquisition.js';
import { billingFigure } from './billing.js';
import { customersFigure } from './customers.js';
import { type Aggregates, type AggregateView, latestUpdate, others, perCurrency, sumViews } from './figures.js';
import { byCurrency, keys, series } from './keys.js';
import { marginFigure } from './margin.js';
import { npsFigure } from './nps.js';
import { flowFigures, pipelineBlock } from './pipeline.js';

/**
 * The `GET /v1/metrics` answer of a period (a month or a year) and `GET /v1/metrics/series`, which is that
 * answer for each month of a span: one function builds both, from aggregates read with one range query per
 * figure family (`reportReads`), so a chart and a single period never disagree.
 */

/** A daily snapshot of the "now" figures (`active`, `prospects`, `openCount`, `openValue:CUR`), as read back. */
export interface SnapshotView {
  values: Values;
  takenAt: string;
}
export type Snapshots = ReadonlyMap<Day, SnapshotView>;

/** The "now" figures, and what a snapshot of them holds. */
export const NOW_FIGURES = [
  'activeCustomers',
  'prospectsInPipeline',
  'pipeline.openCount',
  'pipeline.openValue',
] as const;

/** What a report reads: spans of series partitions (one range query each), single aggregates, snapshots. */
export interface ReportReads {
  ranges: { partition: string; from: string; to: string }[];
  keys: string[];
  snapshotDays: Day[];
}

/** The months a comparison looks back: the same month a year ago is the furthest. */
const LOOKBACK_MONTHS = 12;

/** The months of the years from the first month's to the last's: what their margins are summed from. */
const yearsOf = (first: Month, last: Month) => ({ from: `${yearOfMonth(first)}-01`, to: `${yearOfMonth(last)}-12` });

/** The last day of a period. */
const periodEnd = (period: Period): Day => lastDayOf(monthsSpan(period).last);

/** Is today inside the period? */
const inProgress = (period: Period, today: Day): boolean => {
  const { first, last } = monthsSpan(period);
  const month = monthOfDay(today);
  return month >= first && month <= last;
};

/**
 * The day spans "to date" compares: this period from its first day to today, and the previous one to the same
 * day. A month: its days. A year: its full months before this one (from month aggregates) and this month's days.
 */
const toDateSpans = (period: Period, today: Day) => {
  const month = monthOfDay(today);
  const back = isYear(period) ? LOOKBACK_MONTHS : 1;
  const previousMonth = addMonths(month, -back);
  const day = Number(today.slice(8, 10));
  const firstMonth = monthsSpan(period).first;
  return {
    current: { months: monthRange(firstMonth, addMonths(month, -1)), days: { from: firstDayOf(month), to: today } },
    previous: {
      months: monthRange(addMonths(firstMonth, -back), addMonths(previousMonth, -1)),
      days: { from: firstDayOf(previousMonth), to: clampedDay(previousMonth, day) },
    },
  };
};

/**
 * What the reports of some periods need, whatever their number: each series family from 12 months before the
 * first to the last (previous period, same month a year ago, year to date and last month's billing all lie
 * there), the margins of their years, the day items "to date" compares (when a period is in progress), the
 * live counts, and the snapshots taken on the last day of each period and of the periods compared with it.
 */
export const reportReads = (periods: readonly Period[], today: Day): ReportReads => {
  const spans = periods.map(monthsSpan);
  const first = spans.map((s) => s.first).reduce((a, b) => (a < b ? a : b));
  const last = spans.map((s) => s.last).reduce((a, b) => (a > b ? a : b));
  const months = { from: addMonths(first, -LOOKBACK_MONTHS), to: last };
  const ranges = [
    { partition: series.nps, ...months },
    { partition: series.billing, ...months },
    { partition: series.pipeline(), ...months },
    { partition: series.margin, ...yearsOf(first, last) },
    { partition: series.acquisition, ...months },
  ];
  const daySpans = new Map<string, { from: Day; to: Day }>();
  for (const period of periods.filter((p) => inProgress(p, today))) {
    const { current, previous } = toDateSpans(period, today);
    for (const days of [previous.days, current.days]) daySpans.set(`${days.from}..${days.to}`, days);
  }
  for (const days of daySpans.values())
    for (const partition of [series.npsDay, series.billingDay, series.pipelineDay]) ranges.push({ partition, ...days });
  const snapshotDays = new Set<Day>();
  for (const period of periods) {
    snapshotDays.add(periodEnd(period));
    snapshotDays.add(periodEnd(previousPeriod(period)));
    if (!isYear(period)) snapshotDays.add(lastDayOf(addMonths(period, -LOOKBACK_MONTHS)));
  }
  return {
    ranges,
    keys: [keys.customers, keys.openPipeline()],
    snapshotDays: [...snapshotDays].filter((d) => d < today).sort(),
  };
};

/** The sum of one family's items over months and days, as one view. */
const spanView = (
  aggregates: Aggregates,
  monthKey: (m: Month) => string,
  dayKey: (d: Day) => string,
  months: readonly Month[],
  days?: { from: Day; to: Day },
): AggregateView => {
  const views = [
    ...months.map((m) => aggregates.get(monthKey(m))),
    ...(days ? dayRange(days.from, days.to).map((d) => aggregates.get(dayKey(d))) : []),
  ];
  return { values: sumViews(views), updatedAt: latestUpdate(views) ?? undefined };
};

/** The flow figures compared: NPS, billing and the pipeline flow over some months and days, base currency first. */
const headline = (
  aggregates: Aggregates,
  ctx: MetricContext,
  months: readonly Month[],
  days?: { from: Day; to: Day },
) => {
  const base = ctx.baseCurrency;
  const nps = spanView(aggregates, keys.nps, keys.npsDay, months, days).values;
  const billing = byCurrency(spanView(aggregates, keys.billing, keys.billingDay, months, days).values, 'amount');
  const flow = spanView(aggregates, (m) => keys.pipeline(m), keys.pipelineDay, months, days).values;
  const { created, won, lost, wonValue } = flowFigures(flow, base);
  return {
    from: months[0] ? firstDayOf(months[0]) : (days?.from ?? null),
    to: days?.to ?? (months.length > 0 ? lastDayOf(months[months.length - 1] as Month) : null),
    nps: npsFigure(nps),
    billing: toMajor(billing[base] ?? 0, base),
    pipeline: { created, won, lost, wonValue },
    otherCurrencies: others(perCurrency({ billing, wonValue: byCurrency(flow, 'wonValue') }), base),
  };
};

/**
 * Where a period's "now" figures come from: live for the period in progress, the snapshot of its last day for
 * a past one (null figures when none was taken), nothing for a future one.
 */
const nowSource = (period: Period, aggregates: Aggregates, snapshots: Snapshots, today: Day) => {
  if (inProgress(period, today))
    return {
      basis: 'live' as const,
      date: null,
      customers: aggregates.get(keys.customers),
      open: aggregates.get(keys.openPipeline()),
    };
  if (periodEnd(period) < today) {
    const date = periodEnd(period);
    const snapshot = snapshots.get(date);
    const view = snapshot ? { values: snapshot.values, updatedAt: snapshot.takenAt } : null;
    return { basis: 'periodEnd' as const, date, customers: view, open: view };
  }
  return { basis: 'none' as const, date: null, customers: null, open: null };
};

/** The "now" figures of a period compared with: at the end of it, null without a snapshot. */
const atPeriodEnd = (period: Period, aggregates: Aggregates, snapshots: Snapshots, today: Day, ctx: MetricContext) => {
  const source = nowSource(period, aggregates, snapshots, today);
  if (!source.customers || !source.open) return null;
  const open = pipelineBlock(undefined, source.open, ctx);
  const customers = customersFigure(source.customers);
  return {
    basis: source.basis,
    date: source.date,
    activeCustomers: customers.activeCustomers,
    prospectsInPipeline: customers.prospectsInPipeline,
    openCount: open.openCount,
    openValue: open.openValue,
  };
};

const periodMonths = (period: Period) => {
  const { first, last } = monthsSpan(period);
  return monthRange(first, last);
};

/** Each comparison of a period's headline figures (defined in docs/metrics.md, "Comparisons"). */
const comparisons = (period: Period, aggregates: Aggregates, snapshots: Snapshots, today: Day, ctx: MetricContext) => {
  const previous = previousPeriod(period);
  const yearAgo = isYear(period) ? null : addMonths(period, -LOOKBACK_MONTHS);
  const spans = inProgress(period, today) ? toDateSpans(period, today) : null;
  const { first, last } = monthsSpan(period);
  return {
    previous: {
      period: previous,
      ...headline(aggregates, ctx, periodMonths(previous)),
      atPeriodEnd: atPeriodEnd(previous, aggregates, snapshots, today, ctx),
    },
    yearAgo:
      yearAgo === null
        ? null
        : {
            period: yearAgo,
            ...headline(aggregates, ctx, [yearAgo]),
            atPeriodEnd: atPeriodEnd(yearAgo, aggregates, snapshots, today, ctx),
          },
    toDate: spans
      ? {
          through: today,
          current: headline(aggregates, ctx, spans.current.months, spans.current.days),
          previous: headline(aggregates, ctx, spans.previous.months, spans.previous.days),
        }
      : null,
    yearToDate: headline(aggregates, ctx, monthRange(`${yearOfMonth(first)}-01`, last)),
  };
};

/** What a report is computed from: aggregates by key (series items as `partition|member`) and snapshots by day. */
export interface ReportInputs {
  aggregates: Aggregates;
  snapshots?: Snapshots;
}

/** The `GET /v1/metrics` answer for a period, from what `reportReads` named; `asOf` is now. */
export const metricsReport = (period: Period, inputs: ReportInputs, ctx: MetricContext, asOf: Date) => {
  const { aggregates, snapshots = new Map() } = inputs;
  const today = localDateOf(asOf, ctx.timeZone);
  const months = periodMonths(period);
  const previousMonths = periodMonths(previousPeriod(period));
  const sum = (key: (m: Month) => string, of: readonly Month[]) => {
    const views = of.map((m) => aggregates.get(key(m)));
    return { values: sumViews(views), updatedAt: latestUpdate(views) ?? undefined };
  };
  const nps = sum(keys.nps, months);
  const now = nowSource(period, aggregates, snapshots, today);
  const lastMonth = months[months.length - 1] as Month;
  return {
    period,
    timezone: ctx.timeZone,
    currency: ctx.baseCurrency,
    asOf: asOf.toISOString(),
    nps: { ...npsFigure(nps.values), updatedAt: nps.updatedAt ?? null },
    billing: billingFigure(sum(keys.billing, months), sum(keys.billing, previousMonths), ctx),
    margin: marginFigure(yearOfMonth(lastMonth), aggregates, ctx, isYear(period) ? undefined : lastMonth),
    ...customersFigure(now.customers),
    pipeline: pipelineBlock(
      sum((m) => keys.pipeline(m), months),
      now.open,
      ctx,
    ),
    nowFigures: { basis: now.basis, date: now.date, figures: NOW_FIGURES },
    acquisition: acquisitionHeadline(sum(keys.acquisition, months), ctx.baseCurrency),
    comparisons: comparisons(period, aggregates, snapshots, today, ctx),
  };
};

/** Reads what `reportReads` names: one range query per series span, one BatchGet of keys, one of snapshots. */
export const readReport = async (store: ReportReader, reads: ReportReads): Promise<ReportInputs> => {
  const [spans, single, snapshots] = await Promise.all([
    Promise.all(reads.ranges.map((r) => store.listAggregateRange(r.partition, r.from, r.to))),
    store.getAggregates(reads.keys),
    reads.snapshotDays.length > 0 ? store.getSnapshots(reads.snapshotDays) : new Map<Day, SnapshotView>(),
  ]);
  const aggregates = new Map(single);
  reads.ranges.forEach((range, i) => {
    for (const [member, view] of spans[i] ?? []) aggregates.set(`${range.partition}|${member}`, view);
  });
  return { aggregates, snapshots };
};
