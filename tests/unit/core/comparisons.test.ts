import {
  applyEvents,
  localDateOf,
  MemoryStore,
  type MetricContext,
  memoryAggregateStore,
  memorySnapshotStore,
  metricModel,
  metricsReport,
  readReport,
  recompute,
  reportReads,
} from '@flash/core';
import { describe, expect, it } from 'vitest';
import { invoice, surveyResponse } from '../../support/events.js';

const ctx: MetricContext = { timeZone: 'Europe/Oslo', baseCurrency: 'EUR' };
const NOW = new Date('2026-11-20T10:00:00Z');

/** Answers and invoices around November 2026; the expected figures below are counted by hand from these. */
const history = [
  surveyResponse('A', 1, 10, '2026-11-03T08:00:00Z'),
  surveyResponse('B', 1, 3, '2026-11-18T08:00:00Z'),
  surveyResponse('C', 1, 9, '2026-11-25T08:00:00Z'),
  surveyResponse('D', 1, 9, '2026-10-05T08:00:00Z'),
  surveyResponse('E', 1, 2, '2026-10-25T08:00:00Z'),
  surveyResponse('G', 1, 10, '2026-02-10T08:00:00Z'),
  surveyResponse('F', 1, 8, '2025-11-10T08:00:00Z'),
  surveyResponse('H', 1, 0, '2025-03-10T08:00:00Z'),
  surveyResponse('I', 1, 10, '2025-11-15T08:00:00Z'),
  surveyResponse('J', 1, 1, '2025-11-25T08:00:00Z'),
  invoice('I1', 1, { status: 'issued', total: 100_00, invoiceDate: '2026-11-10' }),
  invoice('U1', 1, { status: 'issued', total: 9_99, currency: 'USD', invoiceDate: '2026-11-02' }),
  invoice('I2', 1, { status: 'issued', total: 50_00, invoiceDate: '2026-10-15' }),
  invoice('I3', 1, { status: 'issued', total: 70_00, invoiceDate: '2026-10-28' }),
  invoice('I4', 1, { status: 'issued', total: 30_00, invoiceDate: '2025-11-05' }),
];

const reportOf = async (period: string, now = NOW) => {
  const engine = new MemoryStore();
  await applyEvents(history, { store: engine, model: metricModel, ctx, now: () => now });
  // The day items, like every aggregate, equal a recomputation from the entity states.
  expect(engine.aggregates).toEqual(recompute(engine.states(), metricModel, ctx).aggregates);
  const store = { ...memoryAggregateStore(engine), ...memorySnapshotStore() };
  const inputs = await readReport(store, reportReads([period], localDateOf(now, ctx.timeZone)));
  return metricsReport(period, inputs, ctx, now);
};

const nps = (promoters: number, passives: number, detractors: number, score: number | null) => ({
  promoters,
  passives,
  detractors,
  responses: promoters + passives + detractors,
  score,
});

describe('comparisons', () => {
  it('compares a month in progress with the previous month, the same month last year, to date and the year to date', async () => {
    const report = await reportOf('2026-11');
    expect(report.nps).toMatchObject(nps(2, 0, 1, 33.3));
    const { previous, yearAgo, toDate, yearToDate } = report.comparisons;
    expect(previous).toMatchObject({ period: '2026-10', from: '2026-10-01', to: '2026-10-31', billing: 120 });
    expect(previous.nps).toEqual(nps(1, 0, 1, 0));
    expect(yearAgo).toMatchObject({ period: '2025-11', from: '2025-11-01', to: '2025-11-30', billing: 30 });
    expect(yearAgo?.nps).toEqual(nps(1, 1, 1, 0));
    // To date: 1 to 20 November (A, B; I1 and the USD invoice) against 1 to 20 October (D; I2).
    expect(toDate?.through).toBe('2026-11-20');
    expect(toDate?.current).toMatchObject({
      from: '2026-11-01',
      to: '2026-11-20',
      billing: 100,
      otherCurrencies: { USD: { billing: 9.99, wonValue: 0 } },
    });
    expect(toDate?.current.nps).toEqual(nps(1, 0, 1, 0));
    expect(toDate?.previous).toMatchObject({ from: '2026-10-01', to: '2026-10-20', billing: 50 });
    expect(toDate?.previous.nps).toEqual(nps(1, 0, 0, 100));
    // January to November 2026: A, C, D, G promoters, B, E detractors; 100 + 50 + 70 EUR.
    expect(yearToDate).toMatchObject({ from: '2026-01-01', to: '2026-11-30', billing: 220 });
    expect(yearToDate.nps).toEqual(nps(4, 0, 2, 33.3));
  });

  it('answers a whole year, compared with the year before and with it to the same date', async () => {
    const report = await reportOf('2026');
    expect(report.period).toBe('2026');
    expect(report.nps).toMatchObject(nps(4, 0, 2, 33.3));
    expect(report.billing).toMatchObject({
      thisMonth: 220,
      lastMonth: 30,
      otherCurrencies: { USD: { thisMonth: 9.99 } },
    });
    expect(report.margin).toMatchObject({ year: 2026, billing: 220 });
    const { previous, yearAgo, toDate } = report.comparisons;
    expect(previous).toMatchObject({ period: '2025', from: '2025-01-01', to: '2025-12-31', billing: 30 });
    expect(previous.nps).toEqual(nps(1, 1, 2, -25));
    expect(yearAgo).toBeNull();
    // 1 January to 20 November 2026 (A, B, D, E, G) against 1 January to 20 November 2025 (H, F, I).
    expect(toDate?.current).toMatchObject({ from: '2026-01-01', to: '2026-11-20', billing: 220 });
    expect(toDate?.current.nps).toEqual(nps(3, 0, 2, 20));
    expect(toDate?.previous).toMatchObject({ from: '2025-01-01', to: '2025-11-20', billing: 30 });
    expect(toDate?.previous.nps).toEqual(nps(1, 1, 1, 0));
  });

  it('leaves "to date" out of a period that is over, and compares the 31st with the last day of a shorter month', async () => {
    expect((await reportOf('2026-10')).comparisons.toDate).toBeNull();
    const march = await reportOf('2027-03', new Date('2027-03-31T10:00:00Z'));
    expect(march.comparisons.toDate?.previous).toMatchObject({ from: '2027-02-01', to: '2027-02-28' });
    const leap = await reportOf('2028-03', new Date('2028-03-31T10:00:00Z'));
    expect(leap.comparisons.toDate?.previous).toMatchObject({ from: '2028-02-01', to: '2028-02-29' });
    const leapYear = await reportOf('2029', new Date('2029-02-28T10:00:00Z'));
    expect(leapYear.comparisons.toDate?.previous).toMatchObject({ from: '2028-01-01', to: '2028-02-28' });
  });
});
