import {
  applyEvents,
  type Budget,
  type CanonicalEvent,
  type EntityData,
  forecastReport,
  MemoryStore,
  type MetricContext,
  memoryAggregateStore,
  metricModel,
  partitions,
  readForecastAggregates,
  type StageOverrides,
  stageProbabilities,
  stagesReport,
} from '@flash/core';
import { describe, expect, it } from 'vitest';
import { deal } from '../../support/events.js';

const ctx: MetricContext = { timeZone: 'UTC', baseCurrency: 'EUR' };
const now = () => new Date('2026-12-10T10:00:00Z');

/** A deal's version `v` (a generic deal unless `source` says), seen on `day` of October 2026 in `stage`. */
const version = (id: string, v: number, day: number, data: Partial<EntityData['deal']>, source = 'generic') =>
  deal(
    id,
    v,
    { createdAt: '2026-10-01', ...data },
    { occurredAt: `2026-10-${String(day).padStart(2, '0')}T09:00:00Z`, source },
  );

/**
 * The closed history the probabilities are learnt from:
 *   proposal    reached by D1, D2, D3, D4, won D1, D4: 2 / 4 = 0.5
 *   negotiation reached by D1, D3, D4,     won D1, D4: 2 / 3
 * D1 won 10,000 EUR on 2026-11-10, D4 (owner U2) 20,000 EUR on 2026-12-03.
 */
const closed: CanonicalEvent[] = [
  version('D1', 1, 1, { stage: 'proposal' }),
  version('D1', 2, 5, { stage: 'negotiation' }),
  version('D1', 3, 9, { stage: 'negotiation', status: 'won', amount: 1_000_000, closedAt: '2026-11-10' }),
  version('D2', 1, 1, { stage: 'proposal' }),
  version('D2', 2, 8, { stage: 'proposal', status: 'lost', closedAt: '2026-10-20' }),
  version('D3', 1, 2, { stage: 'proposal' }),
  version('D3', 2, 6, { stage: 'negotiation' }),
  version('D3', 3, 9, { stage: 'negotiation', status: 'lost', closedAt: '2026-11-02' }),
  version('D4', 1, 3, { stage: 'proposal', ownerId: 'U2' }),
  version('D4', 2, 7, { stage: 'negotiation', ownerId: 'U2' }),
  version('D4', 3, 9, {
    stage: 'negotiation',
    ownerId: 'U2',
    status: 'won',
    amount: 2_000_000,
    closedAt: '2026-12-03',
  }),
];

/** Open deals: stage, value, expected close date. */
const open: CanonicalEvent[] = [
  version('O1', 1, 1, { stage: 'proposal', amount: 3_000_000, expectedCloseDate: '2026-12-20', ownerId: 'U2' }),
  version('O2', 1, 1, { stage: 'negotiation', amount: 900_000, expectedCloseDate: '2027-01-15' }),
  // Expected in October, still open in December: placed in the current month.
  version('O3', 1, 1, { stage: 'negotiation', amount: 300_000, expectedCloseDate: '2026-10-01' }),
  // No expected close date: in no month.
  version('O4', 1, 1, { stage: 'proposal', amount: 400_000, expectedCloseDate: null }),
  // A stage without closed deals, with a probability set by hand.
  version('O5', 1, 1, { stage: 'demo', amount: 800_000, expectedCloseDate: '2027-01-31' }),
  version('O6', 1, 1, { stage: 'negotiation', amount: 150_000, currency: 'USD', expectedCloseDate: '2026-12-31' }),
  // A stage without closed deals or an override weighs nothing.
  version('O7', 1, 1, { stage: 'discovery', amount: 500_000, expectedCloseDate: '2026-12-15' }),
];

const budgets = new Map<string, Budget>([
  ['2026-10', { currency: 'USD', company: 500, owners: {} }],
  ['2026-11', { currency: 'EUR', company: 25_000, owners: {} }],
  ['2026-12', { currency: 'EUR', company: 30_000, owners: { U2: 12_000 } }],
]);
const overrides = { generic: { demo: 0.25 } };

const forecast = async (store: MemoryStore, owner: string | null) => {
  const range = { from: '2026-10', to: '2027-01', owner, current: '2026-12' };
  const aggregates = await readForecastAggregates(memoryAggregateStore(store), range);
  return forecastReport(range, { ...aggregates, overrides, budgets }, ctx);
};

const applyInBatches = async (store: MemoryStore, events: readonly CanonicalEvent[]) => {
  for (let i = 0; i < events.length; i += 4)
    await applyEvents(events.slice(i, i + 4), { store, model: metricModel, ctx, now });
};

const figures = (sold: number, weightedPipeline: number, forecast: number, budget: number | null) => ({
  sold,
  weightedPipeline,
  forecast,
  budget,
});

describe('forecast against budget', () => {
  it('gives each month and the running totals, hand-computed, with probabilities learnt from closed deals', async () => {
    const store = new MemoryStore();
    // Delivered newest first, in small batches: the history and its figures do not depend on order.
    await applyInBatches(store, [...closed, ...open].reverse());

    const company = await forecast(store, null);
    expect(company.probabilities).toEqual([
      { source: 'generic', stage: 'demo', learnt: null, sample: 0, won: 0, override: 0.25, used: 0.25 },
      { source: 'generic', stage: 'discovery', learnt: null, sample: 0, won: 0, override: null, used: null },
      { source: 'generic', stage: 'negotiation', learnt: 0.667, sample: 3, won: 2, override: null, used: 0.667 },
      { source: 'generic', stage: 'proposal', learnt: 0.5, sample: 4, won: 2, override: null, used: 0.5 },
    ]);
    // December: O1 30,000 × 0.5 + O3 (overdue) 3,000 × 2/3 = 17,000; O7 weighs nothing.
    // January: O2 9,000 × 2/3 + O5 8,000 × 0.25 = 8,000. USD: O6 1,500 × 2/3 = 1,000 in December.
    expect(company.months).toEqual([
      {
        month: '2026-10',
        ...figures(0, 0, 0, null),
        accumulated: figures(0, 0, 0, null),
        otherCurrencies: { USD: { ...figures(0, 0, 0, 500), accumulated: figures(0, 0, 0, 500) } },
      },
      {
        month: '2026-11',
        ...figures(10_000, 0, 10_000, 25_000),
        accumulated: figures(10_000, 0, 10_000, 25_000),
        otherCurrencies: { USD: { ...figures(0, 0, 0, null), accumulated: figures(0, 0, 0, 500) } },
      },
      {
        month: '2026-12',
        ...figures(20_000, 17_000, 37_000, 30_000),
        accumulated: figures(30_000, 17_000, 47_000, 55_000),
        otherCurrencies: { USD: { ...figures(0, 1_000, 1_000, null), accumulated: figures(0, 1_000, 1_000, 500) } },
      },
      {
        month: '2027-01',
        ...figures(0, 8_000, 8_000, null),
        accumulated: figures(30_000, 25_000, 55_000, 55_000),
        otherCurrencies: { USD: { ...figures(0, 0, 0, null), accumulated: figures(0, 1_000, 1_000, 500) } },
      },
    ]);
    // O4 4,000 × 0.5, in no month.
    expect(company.unscheduled).toEqual({ count: 1, weightedPipeline: 2_000, otherCurrencies: {} });

    // Owner U2: D4 won in December, O1 expected in December, their own budget; company probabilities.
    const u2 = await forecast(store, 'U2');
    expect(
      u2.months.map(({ month, sold, weightedPipeline, forecast, budget, accumulated }) => ({
        month,
        ...{ sold, weightedPipeline, forecast, budget },
        accumulated,
      })),
    ).toEqual([
      { month: '2026-10', ...figures(0, 0, 0, null), accumulated: figures(0, 0, 0, null) },
      { month: '2026-11', ...figures(0, 0, 0, null), accumulated: figures(0, 0, 0, null) },
      {
        month: '2026-12',
        ...figures(20_000, 15_000, 35_000, 12_000),
        accumulated: figures(20_000, 15_000, 35_000, 12_000),
      },
      { month: '2027-01', ...figures(0, 0, 0, null), accumulated: figures(20_000, 15_000, 35_000, 12_000) },
    ]);
  });

  it("keeps two sources' stage 4 apart: their own rows, probabilities, overrides and forecast weights", async () => {
    // Pipedrive's stage 4 and the generic source's stage 4 are two stages. Every closed deal stays in 4 from
    // day 1 to day 3 (2 days), then closes.
    //   pipedrive 4: P1 won (2,000 EUR on 10 November), P2 lost: learnt 1 / 2, overridden to 0.8
    //   generic 4:   G1 won (3,000 EUR on 3 December), G2, G3, G4 lost: learnt 1 / 4
    const closeIn4 = (id: string, source: string, status: 'won' | 'lost', data: Partial<EntityData['deal']> = {}) => [
      version(id, 1, 1, { stage: '4', ...data }, source),
      version(id, 2, 3, { stage: '4', status, ...data }, source),
    ];
    const events = [
      ...closeIn4('P1', 'pipedrive', 'won', { amount: 200_000, closedAt: '2026-11-10' }),
      ...closeIn4('P2', 'pipedrive', 'lost'),
      ...closeIn4('G1', 'generic', 'won', { amount: 300_000, closedAt: '2026-12-03' }),
      ...closeIn4('G2', 'generic', 'lost'),
      ...closeIn4('G3', 'generic', 'lost'),
      ...closeIn4('G4', 'generic', 'lost'),
      // Open in 4, 10,000 EUR each, expected in December: weighed 0.8 and 0.25.
      version('OP', 1, 1, { stage: '4', amount: 1_000_000, expectedCloseDate: '2026-12-20' }, 'pipedrive'),
      version('OG', 1, 1, { stage: '4', amount: 1_000_000, expectedCloseDate: '2026-12-20' }, 'generic'),
    ];
    const store = new MemoryStore();
    await applyInBatches(store, events.reverse());
    const read = memoryAggregateStore(store);
    const shared = { pipedrive: { '4': 0.8 } };

    const stages = stagesReport(
      await read.listAggregatePartition(partitions.stageTimes),
      await read.listAggregatePartition(partitions.stageHours),
      shared,
    );
    expect(stages.stages).toEqual([
      {
        source: 'generic',
        stage: '4',
        stays: 4,
        meanDays: 2,
        medianDays: 2,
        lost: 3,
        closedReached: 4,
        wonReached: 1,
        learntProbability: 0.25,
        override: null,
        probability: 0.25,
      },
      {
        source: 'pipedrive',
        stage: '4',
        stays: 2,
        meanDays: 2,
        medianDays: 2,
        lost: 1,
        closedReached: 2,
        wonReached: 1,
        learntProbability: 0.5,
        override: 0.8,
        probability: 0.8,
      },
    ]);

    const range = { from: '2026-12', to: '2026-12', owner: null, current: '2026-12' };
    const report = forecastReport(
      range,
      { ...(await readForecastAggregates(read, range)), overrides: shared, budgets: new Map() },
      ctx,
    );
    expect(report.probabilities).toEqual([
      { source: 'generic', stage: '4', learnt: 0.25, sample: 4, won: 1, override: null, used: 0.25 },
      { source: 'pipedrive', stage: '4', learnt: 0.5, sample: 2, won: 1, override: 0.8, used: 0.8 },
    ]);
    // Overrides stored before they named their source (`{"4": 0.8}`) override nothing.
    const legacy = { '4': 0.8 } as unknown as StageOverrides;
    expect(
      [...stageProbabilities(await read.listAggregatePartition(partitions.stageTimes), legacy, []).values()].map(
        (p) => [p.source, p.stage, p.override, p.used],
      ),
    ).toEqual([
      ['generic', '4', null, 0.25],
      ['pipedrive', '4', null, 0.5],
    ]);
    // December: G1 sold 3,000; OP 10,000 × 0.8 + OG 10,000 × 0.25 = 10,500 weighted.
    expect(report.months).toEqual([
      {
        month: '2026-12',
        ...figures(3_000, 10_500, 13_500, null),
        accumulated: figures(3_000, 10_500, 13_500, null),
        otherCurrencies: {},
      },
    ]);
  });
});
