import { takeSnapshot } from '@flash/app';
import {
  applyEvents,
  MemoryStore,
  type MetricContext,
  memoryAggregateStore,
  memorySnapshotStore,
  metricModel,
  metricsReport,
  readReport,
  reportReads,
} from '@flash/core';
import { describe, expect, it } from 'vitest';
import { customer, deal } from '../../support/events.js';

const ctx: MetricContext = { timeZone: 'Europe/Oslo', baseCurrency: 'EUR' };

/** The engine's store, the read side over it and a snapshot store, as the query function sees them together. */
const world = async () => {
  const engine = new MemoryStore();
  const store = { ...memoryAggregateStore(engine), ...memorySnapshotStore() };
  const apply = (...events: Parameters<typeof applyEvents>[0]) =>
    applyEvents(events, { store: engine, model: metricModel, ctx, now: () => new Date('2026-10-01T00:00:00Z') });
  return { store, apply };
};

const reportAt = async (store: Awaited<ReturnType<typeof world>>['store'], period: string, now: Date) =>
  metricsReport(period, await readReport(store, reportReads([period], now.toISOString().slice(0, 10))), ctx, now);

describe('daily snapshot of the "now" figures', () => {
  it("writes the live figures under today's local date, replacing the day's earlier snapshot", async () => {
    const { store, apply } = await world();
    await apply(
      deal('D1', 1, { customerId: 'C1', amount: 120_000 }),
      deal('D2', 1, { customerId: 'C2', amount: 80_000 }),
    );
    const early = await takeSnapshot({ store, ctx, now: () => new Date('2026-10-31T10:00:00Z') });
    expect(early).toEqual({
      day: '2026-10-31',
      values: { openCount: 2, 'openValue:EUR': 200_000, active: 2, prospects: 2 },
    });
    await apply(deal('D2', 2, { customerId: 'C2', status: 'won', amount: 80_000, closedAt: '2026-10-31T20:00:00Z' }));
    // 22:50 UTC is 23:50 in Oslo: still 31 October there, and the day's snapshot is replaced.
    await takeSnapshot({ store, ctx, now: () => new Date('2026-10-31T22:50:00Z') });
    expect((await store.getSnapshots(['2026-10-31'])).get('2026-10-31')).toEqual({
      values: { openCount: 1, 'openValue:EUR': 120_000, active: 1, prospects: 1 },
      takenAt: '2026-10-31T22:50:00.000Z',
    });
    // 23:30 UTC is already 1 November in Oslo.
    expect((await takeSnapshot({ store, ctx, now: () => new Date('2026-10-31T23:30:00Z') })).day).toBe('2026-11-01');
  });

  it("shows a past month's figures at its end, the month in progress live, and null without a snapshot", async () => {
    const { store, apply } = await world();
    await apply(deal('D1', 1, { customerId: 'C1', amount: 120_000 }), customer('C1', 1));
    await takeSnapshot({ store, ctx, now: () => new Date('2026-10-31T22:50:00Z') });
    await apply(deal('D3', 1, { customerId: 'C3', amount: 5_000 }));
    const now = new Date('2026-11-20T10:00:00Z');

    const october = await reportAt(store, '2026-10', now);
    expect(october).toMatchObject({
      activeCustomers: 1,
      prospectsInPipeline: 1,
      nowFigures: { basis: 'periodEnd', date: '2026-10-31' },
    });
    expect(october.pipeline).toMatchObject({ openCount: 1, openValue: 1200 });

    const november = await reportAt(store, '2026-11', now);
    expect(november).toMatchObject({ activeCustomers: 2, nowFigures: { basis: 'live', date: null } });
    expect(november.pipeline).toMatchObject({ openCount: 2, openValue: 1250 });
    // November compares with October's end.
    expect(november.comparisons.previous.atPeriodEnd).toEqual({
      basis: 'periodEnd',
      date: '2026-10-31',
      activeCustomers: 1,
      prospectsInPipeline: 1,
      openCount: 1,
      openValue: 1200,
    });

    const september = await reportAt(store, '2026-09', now);
    expect(september).toMatchObject({ activeCustomers: null, prospectsInPipeline: null });
    expect(september.pipeline).toMatchObject({ openCount: null, openValue: null });
    const december = await reportAt(store, '2026-12', now);
    expect(december).toMatchObject({ activeCustomers: null, nowFigures: { basis: 'none' } });
  });
});
