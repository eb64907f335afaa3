import {
  type AggregateView,
  acquisitionFigures,
  activityWindow,
  addMonths,
  addValues,
  byCurrency,
  CUSTOMER_ROLLUP,
  coachingFigures,
  currentMonth,
  customerLabelsOf,
  customerNameOf,
  type Dimension,
  type EntityState,
  type ForecastInputs,
  type ForecastRange,
  forecastReport,
  type InsightsStore,
  instantOf,
  KPI_RULES,
  type KpiDefinition,
  keyPart,
  keys,
  kpiScore,
  latestUpdate,
  lists,
  localDateOf,
  lookbackMonths,
  type MetricContext,
  type Month,
  NO_DUE_DATE,
  npsFigure,
  type Profile,
  partitions,
  readForecastAggregates,
  type StageOverrides,
  scoreUnit,
  segmentBreakdown,
  segmentFigure,
  stagesReport,
  sumViews,
  toMajor,
  type User,
  type Values,
} from '@flash/core';
import { type Names, type NamesReader, readNames, withStageNames } from './names.js';

/** The members of some partitions as `[member, values]` pairs, the shape the label readers take. */
const membersOf = (views: Iterable<ReadonlyMap<string, AggregateView>>): [string, Values][] =>
  [...views].flatMap((partition) => [...partition].map(([member, view]): [string, Values] => [member, view.values]));

/**
 * Reads the breakdown of some months by a dimension: the months' label items, each customer's contributions
 * in those months, and every customer's labels, joined in memory (see metrics/segments.ts).
 */
export const readBreakdown = async (store: InsightsStore, months: readonly Month[], dimension: Dimension) => {
  const listEach = (partition: (month: Month) => string) =>
    Promise.all(months.map((m) => store.listAggregatePartition(partition(m))));
  const [labels, direct, perMonth] = await Promise.all([
    store.listRollups(CUSTOMER_ROLLUP),
    listEach(partitions.segments),
    listEach(partitions.byCustomer),
  ]);
  const perCustomer = new Map<string, Values>();
  for (const month of perMonth) {
    for (const [customer, view] of month)
      perCustomer.set(customer, addValues(perCustomer.get(customer) ?? {}, view.values));
  }
  return {
    breakdown: segmentBreakdown(dimension, membersOf(direct), perCustomer, customerLabelsOf(labels)),
    updatedAt: latestUpdate([...direct, ...perMonth].flatMap((m) => [...m.values()])),
  };
};

export const segmentsReport = async (
  store: InsightsStore & NamesReader,
  period: Month,
  by: Dimension,
  ctx: MetricContext,
) => {
  const [{ breakdown, updatedAt }, names] = await Promise.all([
    readBreakdown(store, [period], by),
    readNames(store, { owners: by === 'owner' }),
  ]);
  const total = [...breakdown.values()].reduce(addValues, {});
  // Owners are CRM ids: shown by the name of the user they map to. Segments and channels are names already.
  const nameOf = (label: string) => (by === 'owner' ? (names.owner(label)?.name ?? null) : null);
  return {
    period,
    by,
    currency: ctx.baseCurrency,
    segments: [...breakdown]
      .map(([label, values]) => ({ ...segmentFigure(label, values, ctx.baseCurrency), name: nameOf(label) }))
      .sort((a, b) => b.nps.responses - a.nps.responses || b.billing - a.billing),
    total: { ...segmentFigure('', total, ctx.baseCurrency), label: 'total', name: null },
    updatedAt,
  };
};

/** `GET /v1/acquisition`: spend, new customers and CAC per channel, conversion per source, basket per segment. */
export const acquisitionReport = async (store: InsightsStore, period: Month, ctx: MetricContext) => {
  const [labels, flowLabels, perCustomer, rollups] = await Promise.all([
    store.listAggregatePartition(partitions.acquisitionLabels(period)),
    store.listAggregatePartition(partitions.pipelineLabels(period)),
    store.listAggregatePartition(partitions.byCustomer(period)),
    store.listRollups(CUSTOMER_ROLLUP),
  ]);
  return {
    period,
    currency: ctx.baseCurrency,
    ...acquisitionFigures(
      {
        labels: membersOf([labels]),
        flowLabels: membersOf([flowLabels]),
        perCustomer: new Map(membersOf([perCustomer])),
        customerLabels: customerLabelsOf(rollups),
      },
      ctx,
    ),
    updatedAt: latestUpdate([...labels.values(), ...flowLabels.values(), ...perCustomer.values()]),
  };
};

/** Open deals past their expected close date with no change since, oldest first. */
const staleDealStates = async (store: InsightsStore, today: string, owner: string | undefined, limit = 100) => {
  const candidates = await store.listEntities(lists.openDeals, 1000, { to: `${today}#`, oldestFirst: true });
  return candidates
    .flatMap((s) => (s.entity === 'deal' ? [s] : []))
    .filter(
      (s) =>
        s.data.expectedCloseDate && s.occurredAt < s.data.expectedCloseDate && (!owner || s.data.ownerId === owner),
    )
    .slice(0, limit);
};

/** A stale deal as coaching shows it, with the names people read beside its ids. */
const staleDealRow = (s: EntityState<'deal'>, names: Names) => ({
  id: s.id,
  source: s.source,
  // States stored before deals had a title hold none.
  title: s.data.title ?? null,
  ownerId: s.data.ownerId,
  ownerName: names.owner(s.data.ownerId)?.name ?? null,
  customerId: s.data.customerId,
  customerName: names.customer(s.data.customerId),
  stage: s.data.stage,
  stageName: names.stage(s.source, s.data.stage),
  expectedCloseDate: s.data.expectedCloseDate,
  lastChangeAt: s.occurredAt,
});

export const coachingReport = async (
  store: InsightsStore & NamesReader,
  period: Month,
  owner: string | undefined,
  ctx: MetricContext,
  now: Date,
) => {
  const flowKey = keys.pipeline(period, owner);
  const [aggregates, flowLabels, openStages, stale] = await Promise.all([
    store.getAggregates([flowKey]),
    store.listAggregatePartition(partitions.pipelineLabels(period, owner)),
    store.listAggregatePartition(partitions.openStages(owner)),
    staleDealStates(store, localDateOf(now, ctx.timeZone), owner),
  ]);
  // One read of every name the answer shows: the stale deals' customers, the owners, the stages.
  const names = await readNames(store, { customers: stale.map((s) => s.data.customerId), owners: true, stages: true });
  const figures = coachingFigures(
    aggregates.get(flowKey)?.values ?? {},
    membersOf([flowLabels]),
    membersOf([openStages]),
    ctx,
  );
  return {
    period,
    owner: owner ?? null,
    ownerName: names.owner(owner)?.name ?? null,
    currency: ctx.baseCurrency,
    ...figures,
    openByStage: withStageNames(figures.openByStage, names),
    staleDeals: stale.map((s) => staleDealRow(s, names)),
    updatedAt: latestUpdate([...aggregates.values(), ...flowLabels.values(), ...openStages.values()]),
  };
};

/**
 * `GET /v1/pipeline/stages`: time in stage, lost-at and probabilities per stage (a source's stage id), each
 * stage with its label beside it.
 */
export const stagesAnswer = async (store: InsightsStore & NamesReader, overrides: StageOverrides) => {
  const [times, hours, names] = await Promise.all([
    store.listAggregatePartition(partitions.stageTimes),
    store.listAggregatePartition(partitions.stageHours),
    readNames(store, { stages: true }),
  ]);
  const report = stagesReport(times, hours, overrides);
  return { ...report, stages: withStageNames(report.stages, names) };
};

/** `GET /v1/forecast`: the forecast of a range of months, each stage probability with the stage's label. */
export const forecastAnswer = async (
  store: InsightsStore & NamesReader,
  range: ForecastRange,
  settings: Pick<ForecastInputs, 'overrides' | 'budgets'>,
  ctx: MetricContext,
) => {
  const [aggregates, names] = await Promise.all([
    readForecastAggregates(store, range),
    readNames(store, { stages: true }),
  ]);
  const report = forecastReport(range, { ...aggregates, ...settings }, ctx);
  return { ...report, probabilities: withStageNames(report.probabilities, names) };
};

/** The last `months` months up to and including the period, oldest first. */
const monthsUpTo = (period: Month, months: number): Month[] => lookbackMonths(addMonths(period, 1), months);

/** Sums the pipeline flow of several owner ids (one user may own deals in several CRMs) over months. */
const ownerFlow = async (store: InsightsStore, months: readonly Month[], ownerIds: readonly string[]) => {
  const aggregateKeys = months.flatMap((m) => ownerIds.map((o) => keys.pipeline(m, o)));
  const views = await store.getAggregates(aggregateKeys);
  return { values: sumViews(views.values()), updatedAt: latestUpdate(views.values()) };
};

/** The most entries a KPI reads from one list (an owner's activities in a window, the open deals). */
const MAX_LISTED = 10_000;

interface KpiActual {
  actual: number | null;
  updatedAt: string | null;
}

/** The newest change among listed states, as a figure's freshness. */
const newestChange = (states: readonly EntityState[]): string | null =>
  states.reduce<string | null>((max, s) => (!max || s.occurredAt > max ? s.occurredAt : max), null);

/** The activities of several owner ids in one of their lists between two instants. */
const ownersActivities = async (
  store: InsightsStore,
  list: (owner: string) => string,
  ownerIds: readonly string[],
  from: Date,
  to: Date,
): Promise<EntityState<'activity'>[]> =>
  (
    await Promise.all(ownerIds.map((owner) => store.listEntities(list(owner), MAX_LISTED, activityWindow(from, to))))
  ).flatMap((states) => states.flatMap((s) => (s.entity === 'activity' ? [s] : [])));

/** Open deals whose owner is one of the user's ids, with an expected close date up to `to` (a local date). */
const ownersOpenDeals = async (
  store: InsightsStore,
  ownerIds: readonly string[],
  range: { from?: string; to?: string } = {},
): Promise<EntityState<'deal'>[]> =>
  (await store.listEntities(lists.openDeals, MAX_LISTED, { ...range, oldestFirst: true })).flatMap((s) =>
    s.entity === 'deal' && s.data.ownerId !== null && ownerIds.includes(s.data.ownerId) ? [s] : [],
  );

/**
 * When a KPI is evaluated: the period's month figures, and the instant its look-back windows end (now for the
 * current month, the end of a past month). Figures of the present (planned meetings, open deals) exist only
 * now: for any other period they are null.
 */
interface KpiMoment {
  period: Month;
  at: Date;
  isCurrent: boolean;
  today: string;
}

export const kpiMoment = (period: Month, now: Date, ctx: MetricContext): KpiMoment => {
  const current = currentMonth(now, ctx.timeZone);
  const end = new Date(instantOf(`${addMonths(period, 1)}-01`, ctx.timeZone) - 1);
  return {
    period,
    at: period === current ? now : end < now ? end : now,
    isCurrent: period === current,
    today: localDateOf(now, ctx.timeZone),
  };
};

const DAY_MS = 86_400_000;
const NOT_NOW: KpiActual = { actual: null, updatedAt: null };

const actualOf = async (
  kpi: KpiDefinition,
  ownerIds: readonly string[],
  store: InsightsStore,
  ctx: MetricContext,
  { period, at, isCurrent, today }: KpiMoment,
): Promise<KpiActual> => {
  switch (kpi.template) {
    case 'dealsCreated': {
      const flow = await ownerFlow(store, [period], ownerIds);
      return { actual: flow.values.created ?? 0, updatedAt: flow.updatedAt };
    }
    case 'wonValue': {
      const flow = await ownerFlow(store, [period], ownerIds);
      return {
        actual: toMajor(byCurrency(flow.values, 'wonValue')[ctx.baseCurrency] ?? 0, ctx.baseCurrency),
        updatedAt: flow.updatedAt,
      };
    }
    case 'hitRate': {
      const flow = await ownerFlow(store, monthsUpTo(period, kpi.months), ownerIds);
      const { won = 0, lost = 0 } = flow.values;
      return {
        actual: won + lost === 0 ? null : Math.round((1000 * won) / (won + lost)) / 10,
        updatedAt: flow.updatedAt,
      };
    }
    case 'nps': {
      const { breakdown, updatedAt } = await readBreakdown(store, monthsUpTo(period, kpi.months), 'owner');
      const owned = ownerIds.map((owner) => breakdown.get(owner) ?? {}).reduce(addValues, {});
      return { actual: npsFigure(owned).score, updatedAt };
    }
    case 'openDealsPlanned': {
      if (!isCurrent) return NOT_NOW;
      const until = localDateOf(new Date(at.getTime() + kpi.days * DAY_MS), ctx.timeZone);
      const mine = await ownersOpenDeals(store, ownerIds, { from: today, to: `${until}#\uffff` });
      return { actual: mine.length, updatedAt: newestChange(mine) };
    }
    case 'meetingsPlanned': {
      if (!isCurrent) return NOT_NOW;
      const planned = await ownersActivities(
        store,
        lists.plannedActivities,
        ownerIds,
        at,
        new Date(at.getTime() + kpi.days * DAY_MS),
      );
      const meetings = planned.filter((a) => a.data.kind === 'meeting');
      return { actual: meetings.length, updatedAt: newestChange(meetings) };
    }
    case 'activitiesDone': {
      const done = await ownersActivities(
        store,
        lists.doneActivities,
        ownerIds,
        new Date(at.getTime() - kpi.days * DAY_MS),
        at,
      );
      const counted = done.filter((a) => !kpi.kind || a.data.kind === kpi.kind);
      return { actual: counted.length, updatedAt: newestChange(counted) };
    }
    case 'keyAccountsMet': {
      const [rollups, done] = await Promise.all([
        store.listRollups(CUSTOMER_ROLLUP),
        ownersActivities(store, lists.doneActivities, ownerIds, new Date(at.getTime() - kpi.days * DAY_MS), at),
      ]);
      // Rollups are listed by the key part of the customer id (keys.customerRollup).
      const accounts = new Set(
        [...customerLabelsOf(rollups)].flatMap(([customer, labels]) =>
          labels.owner !== undefined && ownerIds.includes(labels.owner) ? [customer] : [],
        ),
      );
      const meetings = done.filter(
        (a) => a.data.kind === 'meeting' && a.data.customerId !== null && accounts.has(keyPart(a.data.customerId)),
      );
      const met = new Set(meetings.map((a) => keyPart(a.data.customerId ?? '')));
      return {
        actual: accounts.size === 0 ? null : Math.round((1000 * met.size) / accounts.size) / 10,
        updatedAt: newestChange(meetings),
      };
    }
    case 'dealsWithoutNextActivity': {
      if (!isCurrent) return NOT_NOW;
      const [deals, planned] = await Promise.all([
        ownersOpenDeals(store, ownerIds),
        ownersActivities(store, lists.plannedActivities, ownerIds, at, new Date(NO_DUE_DATE)),
      ]);
      const followed = new Set(planned.flatMap((a) => (a.data.dealId ? [`${a.source}#${a.data.dealId}`] : [])));
      const without = deals.filter((d) => !followed.has(`${d.source}#${d.id}`));
      return { actual: without.length, updatedAt: newestChange([...deals, ...planned]) };
    }
    case 'dealsPastCloseDate': {
      if (!isCurrent) return NOT_NOW;
      const past = await ownersOpenDeals(store, ownerIds, { to: `${today}#` });
      return { actual: past.length, updatedAt: newestChange(past) };
    }
  }
};

/** A user's KPIs from their profile for a period: actual, target, score (by the template's rule) and freshness. */
export const evaluateKpis = async (
  userId: string,
  user: User,
  profile: Profile,
  store: InsightsStore,
  ctx: MetricContext,
  now: Date,
  period: Month = currentMonth(now, ctx.timeZone),
) => {
  const ownerIds = user.ownerIds ?? [userId];
  const moment = kpiMoment(period, now, ctx);
  const kpis = await Promise.all(
    profile.kpis.map(async (kpi) => {
      const { actual, updatedAt } = await actualOf(kpi, ownerIds, store, ctx, moment);
      const { rule, unit } = KPI_RULES[kpi.template];
      return {
        template: kpi.template,
        label: kpi.label ?? kpi.template,
        unit: unit === 'currency' ? ctx.baseCurrency : unit,
        ...('days' in kpi ? { days: kpi.days } : {}),
        ...('months' in kpi ? { months: kpi.months } : {}),
        ...('kind' in kpi && kpi.kind ? { kind: kpi.kind } : {}),
        actual,
        target: kpi.target,
        scoreRule: rule,
        scoreUnit: scoreUnit(rule),
        score: kpiScore(rule, actual, kpi.target),
        updatedAt,
      };
    }),
  );
  return {
    user: { id: userId, name: user.name, ownerIds },
    profile: { id: user.profileId, name: profile.name },
    period,
    asOf: now.toISOString(),
    kpis,
  };
};

/** What is at stake with a customer: billing this year, open pipeline now and its labels (for alerts). */
export const customerContext = async (
  store: Pick<InsightsStore, 'getAggregates' | 'loadNodes'>,
  customerId: string,
  ctx: MetricContext,
  now: Date,
) => {
  const year = localDateOf(now, ctx.timeZone).slice(0, 4);
  const months = Array.from({ length: 12 }, (_, i) => `${year}-${String(i + 1).padStart(2, '0')}`);
  const factsKey = keys.customerFacts(customerId);
  const rollupKey = keys.customerRollup(customerId);
  const [views, rollup] = await Promise.all([
    store.getAggregates([factsKey, ...months.map((m) => keys.byCustomer(m, customerId))]),
    store.loadNodes([rollupKey]),
  ]);
  let billing: Values = {};
  for (const m of months)
    billing = addValues(
      billing,
      byCurrency(views.get(keys.byCustomer(m, customerId))?.values ?? {}, 'segment:billing'),
    );
  const facts = views.get(factsKey)?.values ?? {};
  const rollupValues = rollup.get(rollupKey)?.value ?? {};
  const labels = customerLabelsOf([[customerId, rollupValues]]).get(customerId) ?? {};
  const base = ctx.baseCurrency;
  return {
    customerId,
    customerName: customerNameOf(rollupValues),
    currency: base,
    billingThisYear: toMajor(billing[base] ?? 0, base),
    openPipelineValue: toMajor(byCurrency(facts, 'openValue')[base] ?? 0, base),
    openDeals: facts.openCount ?? 0,
    segment: labels.segment ?? null,
    channel: labels.channel ?? null,
    owner: labels.owner ?? null,
  };
};
