import {
  type AggregateView,
  addMonths,
  addValues,
  byCurrency,
  CUSTOMER_ROLLUP,
  coachingFigures,
  customerLabelsOf,
  type Dimension,
  type InsightsStore,
  KPI_UNITS,
  type KpiDefinition,
  keys,
  kpiScore,
  latestUpdate,
  lists,
  localDateOf,
  lookbackMonths,
  type MetricContext,
  type Month,
  npsFigure,
  type Profile,
  partitions,
  segmentBreakdown,
  segmentFigure,
  sumViews,
  toMajor,
  type User,
  type Values,
} from '@flash/core';

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

export const segmentsReport = async (store: InsightsStore, period: Month, by: Dimension, ctx: MetricContext) => {
  const { breakdown, updatedAt } = await readBreakdown(store, [period], by);
  const total = [...breakdown.values()].reduce(addValues, {});
  return {
    period,
    by,
    currency: ctx.baseCurrency,
    segments: [...breakdown]
      .map(([label, values]) => segmentFigure(label, values, ctx.baseCurrency))
      .sort((a, b) => b.nps.responses - a.nps.responses || b.billing - a.billing),
    total: { ...segmentFigure('', total, ctx.baseCurrency), label: 'total' },
    updatedAt,
  };
};

/** Open deals past their expected close date with no change since, oldest first. */
export const staleDeals = async (store: InsightsStore, today: string, owner: string | undefined, limit = 100) => {
  const candidates = await store.listEntities(lists.openDeals, 1000, { to: `${today}#`, oldestFirst: true });
  return candidates
    .flatMap((s) => (s.entity === 'deal' ? [s] : []))
    .filter(
      (s) =>
        s.data.expectedCloseDate && s.occurredAt < s.data.expectedCloseDate && (!owner || s.data.ownerId === owner),
    )
    .slice(0, limit)
    .map((s) => ({
      id: s.id,
      source: s.source,
      ownerId: s.data.ownerId,
      customerId: s.data.customerId,
      stage: s.data.stage,
      expectedCloseDate: s.data.expectedCloseDate,
      lastChangeAt: s.occurredAt,
    }));
};

export const coachingReport = async (
  store: InsightsStore,
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
    staleDeals(store, localDateOf(now, ctx.timeZone), owner),
  ]);
  return {
    period,
    owner: owner ?? null,
    currency: ctx.baseCurrency,
    ...coachingFigures(aggregates.get(flowKey)?.values ?? {}, membersOf([flowLabels]), membersOf([openStages]), ctx),
    staleDeals: stale,
    updatedAt: latestUpdate([...aggregates.values(), ...flowLabels.values(), ...openStages.values()]),
  };
};

/** The last `months` months up to and including the period, oldest first. */
const monthsUpTo = (period: Month, months: number): Month[] => lookbackMonths(addMonths(period, 1), months);

/** Sums the pipeline flow of several owner ids (one user may own deals in several CRMs) over months. */
const ownerFlow = async (store: InsightsStore, months: readonly Month[], ownerIds: readonly string[]) => {
  const aggregateKeys = months.flatMap((m) => ownerIds.map((o) => keys.pipeline(m, o)));
  const views = await store.getAggregates(aggregateKeys);
  return { values: sumViews(views.values()), updatedAt: latestUpdate(views.values()) };
};

interface KpiActual {
  actual: number | null;
  updatedAt: string | null;
}

const actualOf = async (
  kpi: KpiDefinition,
  ownerIds: readonly string[],
  store: InsightsStore,
  ctx: MetricContext,
  now: Date,
): Promise<KpiActual> => {
  const today = localDateOf(now, ctx.timeZone);
  const period = today.slice(0, 7);
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
      const until = localDateOf(new Date(now.getTime() + kpi.days * 86_400_000), ctx.timeZone);
      const deals = await store.listEntities(lists.openDeals, 1000, {
        from: today,
        to: `${until}#\uffff`,
        oldestFirst: true,
      });
      const mine = deals.filter(
        (s) => s.entity === 'deal' && s.data.ownerId !== null && ownerIds.includes(s.data.ownerId),
      );
      return {
        actual: mine.length,
        updatedAt: mine.reduce<string | null>((max, s) => (!max || s.occurredAt > max ? s.occurredAt : max), null),
      };
    }
  }
};

/** A user's KPIs from their profile: actual, target, score (actual / target in percent) and freshness. */
export const evaluateKpis = async (
  userId: string,
  user: User,
  profile: Profile,
  store: InsightsStore,
  ctx: MetricContext,
  now: Date,
) => {
  const ownerIds = user.ownerIds ?? [userId];
  const kpis = await Promise.all(
    profile.kpis.map(async (kpi) => {
      const { actual, updatedAt } = await actualOf(kpi, ownerIds, store, ctx, now);
      return {
        template: kpi.template,
        label: kpi.label ?? kpi.template,
        unit: KPI_UNITS[kpi.template] === 'currency' ? ctx.baseCurrency : KPI_UNITS[kpi.template],
        ...('days' in kpi ? { days: kpi.days } : {}),
        ...('months' in kpi ? { months: kpi.months } : {}),
        actual,
        target: kpi.target,
        score: kpiScore(actual, kpi.target),
        updatedAt,
      };
    }),
  );
  return {
    user: { id: userId, name: user.name, ownerIds },
    profile: { id: user.profileId, name: profile.name },
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
  const labels = customerLabelsOf([[customerId, rollup.get(rollupKey)?.value ?? {}]]).get(customerId) ?? {};
  const base = ctx.baseCurrency;
  return {
    customerId,
    currency: base,
    billingThisYear: toMajor(billing[base] ?? 0, base),
    openPipelineValue: toMajor(byCurrency(facts, 'openValue')[base] ?? 0, base),
    openDeals: facts.openCount ?? 0,
    segment: labels.segment ?? null,
    channel: labels.channel ?? null,
    owner: labels.owner ?? null,
  };
};
