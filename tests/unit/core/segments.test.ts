import {
  applyEvents,
  type CanonicalEvent,
  CUSTOMER_ROLLUP,
  coachingFigures,
  customerLabelsOf,
  type Dimension,
  MemoryStore,
  type MetricContext,
  metricModel,
  metricsReport,
  partitions,
  segmentBreakdown,
  segmentFigure,
} from '@flash/core';
import { describe, expect, it } from 'vitest';
import { creditNote, customer, deal, invoice, snapshot } from '../../support/events.js';

const ctx: MetricContext = { timeZone: 'Europe/Oslo', baseCurrency: 'EUR' };
const now = () => new Date('2026-11-23T10:00:00Z');

const applied = async (...batches: CanonicalEvent[][]) => {
  const store = new MemoryStore();
  for (const batch of batches) await applyEvents(batch, { store, model: metricModel, ctx, now });
  return store;
};

/** The query-time join, from the memory store's aggregates. */
const breakdown = (store: MemoryStore, month: string, dimension: Dimension) => {
  const out = segmentBreakdown(
    dimension,
    store.partition(partitions.segments(month)),
    store.partition(partitions.byCustomer(month)),
    customerLabelsOf(store.rollups(CUSTOMER_ROLLUP)),
  );
  return new Map([...out].map(([label, values]) => [label, segmentFigure(label, values, 'EUR')]));
};

const answer = (
  id: string,
  score: number,
  customerId: string | null,
  own: { segment?: string; channel?: string } = {},
) =>
  snapshot('survey_response', id, 1, {
    score,
    submittedAt: '2026-11-05T08:00:00Z',
    customerId,
    comment: null,
    email: null,
    segment: own.segment ?? null,
    channel: own.channel ?? null,
  });

describe('segment breakdowns', () => {
  const scenario = [
    customer('A', 1, { segment: 'Gold', channel: 'Partner', ownerId: 'U1' }),
    customer('B', 1, { segment: 'Silver', channel: 'Direct', ownerId: 'U2' }),
    answer('R1', 10, 'A'),
    answer('R2', 9, 'A'),
    answer('R3', 3, 'B'),
    answer('R4', 8, null),
    answer('R5', 6, 'B', { segment: 'Gold' }),
    invoice('I1', 1, { customerId: 'A', status: 'issued', total: 100_000 }),
    invoice('I2', 1, { customerId: 'A', status: 'issued', total: 50_000 }),
    invoice('I3', 1, { customerId: 'B', status: 'issued', total: 30_000 }),
    creditNote('N1', 1, { customerId: 'A', total: 10_000 }),
    deal('D1', 1, {
      customerId: 'A',
      ownerId: 'U3',
      status: 'won',
      amount: 2_000_000,
      closedAt: '2026-11-10T00:00:00Z',
    }),
    deal('D2', 1, { customerId: 'B', ownerId: null, status: 'won', amount: 500_000, closedAt: '2026-11-11T00:00:00Z' }),
  ];

  it('answers which customer type recommends us most', async () => {
    const bySegment = breakdown(await applied(scenario), '2026-11', 'segment');
    expect(bySegment.get('Gold')?.nps).toMatchObject({ promoters: 2, detractors: 1, responses: 3, score: 33.3 });
    expect(bySegment.get('Silver')?.nps).toMatchObject({ detractors: 1, responses: 1, score: -100 });
    expect(bySegment.get('')?.nps).toMatchObject({ passives: 1, responses: 1 });
    // Billing 1,000 + 500 - 100 on 2 invoices: average basket 700.
    expect(bySegment.get('Gold')).toMatchObject({
      billing: 1400,
      invoices: 2,
      avgBasket: 700,
      won: 1,
      wonValue: 20000,
    });
  });

  it('sums to the month totals in every dimension', async () => {
    const store = await applied(scenario);
    const totals = metricsReport(
      '2026-11',
      { aggregates: new Map([...store.aggregates].map(([k, values]) => [k, { values }])) },
      ctx,
      now(),
    );
    for (const dimension of ['segment', 'channel', 'owner'] as const) {
      const figures = [...breakdown(store, '2026-11', dimension).values()];
      const sum = (pick: (f: (typeof figures)[number]) => number) => figures.reduce((n, f) => n + pick(f), 0);
      expect(sum((f) => f.nps.responses)).toBe(totals.nps.responses);
      expect(sum((f) => f.nps.promoters)).toBe(totals.nps.promoters);
      expect(sum((f) => f.billing)).toBeCloseTo(totals.billing.thisMonth, 2);
      expect(sum((f) => f.wonValue)).toBe(totals.pipeline.wonValue);
    }
  });

  it("uses a deal's own owner, and the customer's owner for what the customer does", async () => {
    const byOwner = breakdown(await applied(scenario), '2026-11', 'owner');
    expect(byOwner.get('U3')).toMatchObject({ won: 1, wonValue: 20000, billing: 0 });
    expect(byOwner.get('U1')).toMatchObject({ billing: 1400, won: 0 });
    expect(byOwner.get('U2')).toMatchObject({ billing: 300, won: 1, wonValue: 5000 });
  });

  it('moves what a customer did when its segment arrives late or changes', async () => {
    const store = await applied([
      answer('R1', 10, 'A'),
      invoice('I1', 1, { customerId: 'A', status: 'issued', total: 100_000 }),
    ]);
    expect(breakdown(store, '2026-11', 'segment').get('')).toMatchObject({ billing: 1000, nps: { promoters: 1 } });
    await applyEvents([customer('A', 1, { segment: 'Gold' })], { store, model: metricModel, ctx, now });
    expect(breakdown(store, '2026-11', 'segment').get('Gold')).toMatchObject({ billing: 1000, nps: { promoters: 1 } });
    await applyEvents([customer('A', 2, { segment: 'Silver' })], { store, model: metricModel, ctx, now });
    const moved = breakdown(store, '2026-11', 'segment');
    expect(moved.get('Gold')).toBeUndefined();
    expect(moved.get('Silver')).toMatchObject({ billing: 1000 });
  });
});

describe('coaching indicators', () => {
  it('count created and converted per source, lost per reason, open per stage', async () => {
    const store = await applied([
      deal('D1', 1, { source: 'marketing', status: 'won', closedAt: '2026-11-20T00:00:00Z' }),
      deal('D2', 1, { source: 'marketing' }),
      deal('D3', 1, { source: 'marketing', status: 'lost', lostReason: 'Price', closedAt: '2026-11-21T00:00:00Z' }),
      deal('D4', 1, { source: 'sales', status: 'lost', lostReason: 'Price', closedAt: '2026-11-21T00:00:00Z' }),
      deal('D5', 1, { source: 'sales', stage: 'negotiation', amount: 700_000 }),
      deal('D6', 1, { source: null, status: 'lost', lostReason: null, closedAt: '2026-11-22T00:00:00Z' }),
    ]);
    const figures = coachingFigures(
      store.aggregates.get('pipeline|2026-11') ?? {},
      store.partition(partitions.pipelineLabels('2026-11')),
      store.partition(partitions.openStages()),
      ctx,
    );
    expect(figures.bySource).toEqual([
      { source: 'marketing', created: 3, won: 1, conversionRate: 0.333 },
      { source: 'sales', created: 2, won: 0, conversionRate: 0 },
      { source: null, created: 1, won: 0, conversionRate: 0 },
    ]);
    expect(figures.lostReasons).toEqual([
      { reason: 'Price', lost: 2 },
      { reason: null, lost: 1 },
    ]);
    expect(figures.openByStage).toEqual([
      { source: 'generic', stage: 'proposal', openCount: 1, openValue: 10000 },
      { source: 'generic', stage: 'negotiation', openCount: 1, openValue: 7000 },
    ]);
    expect(figures).toMatchObject({ won: 1, lost: 3 });
  });

  it('keeps labels with separators intact', async () => {
    const store = await applied([deal('D1', 1, { stage: 'a|b=c:EUR', amount: 100 })]);
    const figures = coachingFigures({}, [], store.partition(partitions.openStages()), ctx);
    expect(figures.openByStage).toEqual([{ source: 'generic', stage: 'a|b=c:EUR', openCount: 1, openValue: 1 }]);
  });
});
