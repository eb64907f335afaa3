import {
  type AggregateView,
  applyEvents,
  type CanonicalEvent,
  InvalidValueError,
  type Lever,
  MemoryStore,
  type MetricContext,
  metricModel,
  metricsReport,
  parseLeverChange,
  pipelineFigure,
  pipelineRequirements,
  recompute,
} from '@flash/core';
import { describe, expect, it } from 'vitest';
import { cost, creditNote, customer, deal, invoice, project } from '../../support/events.js';

const oslo: MetricContext = { timeZone: 'Europe/Oslo', baseCurrency: 'EUR' };
const now = new Date('2026-11-23T10:00:00Z');

/** Applies deliveries one batch each and returns the store. */
const applied = async (ctx: MetricContext, ...batches: CanonicalEvent[][]) => {
  const store = new MemoryStore();
  for (const batch of batches) await applyEvents(batch, { store, model: metricModel, ctx, now: () => now });
  // Every scenario must also agree with a recomputation from the final entity states.
  expect(store.aggregates).toEqual(recompute(store.states(), metricModel, ctx).aggregates);
  return store;
};
const views = (store: MemoryStore): Map<string, AggregateView> =>
  new Map([...store.aggregates].map(([k, values]) => [k, { values }]));
const report = (store: MemoryStore, period = '2026-11', ctx = oslo) =>
  metricsReport(period, { aggregates: views(store) }, ctx, now);

describe('billing', () => {
  it('sums issued invoices by invoice date and compares with last month', async () => {
    const store = await applied(oslo, [
      invoice('I1', 1, { status: 'issued', total: 123450 }),
      invoice('I2', 1, { status: 'issued', total: 100000, invoiceDate: '2026-10-15' }),
      invoice('I3', 1, { status: 'draft', total: 999900 }),
    ]);
    expect(report(store).billing).toMatchObject({
      thisMonth: 1234.5,
      lastMonth: 1000,
      changePct: 23.5,
      otherCurrencies: {},
    });
  });

  it('removes a voided invoice from its month', async () => {
    const store = await applied(
      oslo,
      [invoice('I1', 1, { status: 'issued', total: 50000 })],
      [invoice('I1', 2, { status: 'void', total: 50000 })],
    );
    expect(report(store).billing.thisMonth).toBe(0);
  });

  it('does not resurrect a voided invoice when a late "finalized" arrives', async () => {
    // Stripe's order is status precedence: open (1) < void (3), whatever order the events come in.
    const store = await applied(
      oslo,
      [invoice('I1', 3, { status: 'void', total: 50000 })],
      [invoice('I1', 1, { status: 'issued', total: 50000 })],
    );
    expect(report(store).billing.thisMonth).toBe(0);
  });

  it('counts a deleted invoice nothing', async () => {
    const store = await applied(
      oslo,
      [invoice('I1', 1, { status: 'issued', total: 50000 })],
      [invoice('I1', 2, { status: 'issued', total: 50000 }, { deleted: true })],
    );
    expect(report(store).billing.thisMonth).toBe(0);
  });

  it('puts an invoice dated 23:30 UTC on the last day of a month into the next month in Europe/Oslo', async () => {
    const store = await applied(oslo, [
      invoice('I1', 1, { status: 'issued', total: 10000, invoiceDate: '2026-10-31T23:30:00Z' }),
    ]);
    expect(report(store).billing).toMatchObject({ thisMonth: 100, lastMonth: 0 });
    const utc = await applied({ ...oslo, timeZone: 'UTC' }, [
      invoice('I1', 1, { status: 'issued', total: 10000, invoiceDate: '2026-10-31T23:30:00Z' }),
    ]);
    expect(report(utc, '2026-11', { ...oslo, timeZone: 'UTC' }).billing).toMatchObject({
      thisMonth: 0,
      lastMonth: 100,
    });
  });

  it('subtracts credit notes in their own month unless voided', async () => {
    const store = await applied(oslo, [
      invoice('I1', 1, { status: 'issued', total: 100000, invoiceDate: '2026-10-20' }),
      creditNote('CN1', 1, { total: 20000, date: '2026-11-02' }),
      creditNote('CN2', 1, { total: 5000, status: 'void' }),
    ]);
    expect(report(store).billing).toMatchObject({ thisMonth: -200, lastMonth: 1000, changePct: -120 });
  });

  it('reports other currencies beside the headline, never converted', async () => {
    const store = await applied(oslo, [
      invoice('I1', 1, { status: 'issued', total: 100000 }),
      invoice('I2', 1, { status: 'issued', total: 1000, currency: 'USD' }),
      invoice('I3', 1, { status: 'issued', total: 2500, currency: 'JPY', invoiceDate: '2026-10-01' }),
    ]);
    expect(report(store).billing).toEqual(
      expect.objectContaining({
        thisMonth: 1000,
        lastMonth: 0,
        changePct: null,
        otherCurrencies: { USD: { thisMonth: 10, lastMonth: 0 }, JPY: { thisMonth: 0, lastMonth: 2500 } },
      }),
    );
  });
});

describe('margin', () => {
  it('is billing of the year minus costs of the year', async () => {
    const store = await applied(oslo, [
      invoice('I1', 1, { status: 'issued', total: 300000, invoiceDate: '2026-02-01' }),
      invoice('I2', 1, { status: 'issued', total: 200000 }),
      invoice('I0', 1, { status: 'issued', total: 999900, invoiceDate: '2025-12-31' }),
      project('P1', 1),
      cost('K1', 1, { amount: 120000 }),
      cost('K0', 1, { amount: 50000, date: '2025-06-01' }),
    ]);
    expect(report(store).margin).toMatchObject({ year: 2026, billing: 5000, cost: 1200, margin: 3800, marginPct: 76 });
  });

  it('removes a cost that arrived before its project turned internal', async () => {
    const store = await applied(
      oslo,
      [invoice('I1', 1, { status: 'issued', total: 100000 })],
      [cost('K1', 1, { amount: 30000 })],
      [project('P1', 1)],
    );
    expect(report(store).margin).toMatchObject({ cost: 300, margin: 700 });
    await applyEvents([project('P1', 2, { internal: true })], { store, model: metricModel, ctx: oslo, now: () => now });
    expect(report(store).margin).toMatchObject({ cost: 0, margin: 1000, marginPct: 100 });
  });

  it('leaves out costs of projects of internal customers, whichever order the events arrive in', async () => {
    const events = [
      customer('C9', 1, { internal: true }),
      project('P9', 1, { customerId: 'C9' }),
      cost('K9', 1, { amount: 40000, projectId: 'P9' }),
      cost('K1', 1, { amount: 1000, projectId: null }),
    ];
    for (const order of [
      events,
      [...events].reverse(),
      [events[2], events[0], events[3], events[1]] as CanonicalEvent[],
    ]) {
      const store = await applied(oslo, ...order.map((e) => [e]));
      expect(report(store).margin.cost).toBe(10);
    }
  });

  it('moves the costs back in when a customer stops being internal', async () => {
    const store = await applied(oslo, [
      customer('C9', 1, { internal: true }),
      project('P9', 1, { customerId: 'C9' }),
      cost('K9', 1, { amount: 40000, projectId: 'P9' }),
    ]);
    expect(report(store).margin.cost).toBe(0);
    await applyEvents([customer('C9', 2, { internal: false })], {
      store,
      model: metricModel,
      ctx: oslo,
      now: () => now,
    });
    expect(report(store).margin.cost).toBe(400);
  });

  it('follows a cost that is deleted or moved to another year', async () => {
    const store = await applied(
      oslo,
      [cost('K1', 1, { amount: 40000, projectId: null })],
      [cost('K1', 2, { amount: 40000, projectId: null, date: '2025-12-01' })],
    );
    expect(report(store).margin.cost).toBe(0);
    expect(report(store, '2025-12').margin.cost).toBe(400);
    await applyEvents([cost('K1', 3, { amount: 40000, projectId: null, date: '2025-12-01' }, { deleted: true })], {
      store,
      model: metricModel,
      ctx: oslo,
      now: () => now,
    });
    expect(report(store, '2025-12').margin.cost).toBe(0);
  });
});

describe('customers', () => {
  it('counts active customers: not internal, with an open deal or an open project', async () => {
    const store = await applied(oslo, [
      deal('D1', 1, { customerId: 'A' }),
      project('P2', 1, { customerId: 'B' }),
      project('P3', 1, { customerId: 'C', status: 'closed' }),
      deal('D4', 1, { customerId: 'D' }),
      customer('D', 1, { internal: true }),
      deal('D5', 1, { customerId: 'E', status: 'won', closedAt: '2026-11-10T00:00:00Z' }),
    ]);
    expect(report(store).activeCustomers).toBe(2);
  });

  it('counts prospects: an open deal, and no issued invoice, no won deal, no project', async () => {
    const store = await applied(oslo, [
      deal('D1', 1, { customerId: 'A' }),
      deal('D2', 1, { customerId: 'B' }),
      invoice('I2', 1, { customerId: 'B', status: 'issued', total: 100 }),
      deal('D3', 1, { customerId: 'C' }),
      deal('D3b', 1, { customerId: 'C', status: 'won', closedAt: '2026-11-10T00:00:00Z' }),
      deal('D4', 1, { customerId: 'D' }),
      project('P4', 1, { customerId: 'D', status: 'closed' }),
      deal('D5', 1, { customerId: 'E' }),
      invoice('I5', 1, { customerId: 'E', status: 'draft', total: 100 }),
    ]);
    expect(report(store).prospectsInPipeline).toBe(2);
  });

  it('stops counting a prospect whose deal is lost, and an active customer whose project closes', async () => {
    const store = await applied(oslo, [deal('D1', 1, { customerId: 'A' }), project('P1', 1, { customerId: 'B' })]);
    expect(report(store)).toMatchObject({ activeCustomers: 2, prospectsInPipeline: 1 });
    await applyEvents(
      [
        deal('D1', 2, { customerId: 'A', status: 'lost', closedAt: '2026-11-20T00:00:00Z' }),
        project('P1', 2, { customerId: 'B', status: 'closed' }),
      ],
      { store, model: metricModel, ctx: oslo, now: () => now },
    );
    expect(report(store)).toMatchObject({ activeCustomers: 0, prospectsInPipeline: 0 });
  });
});

describe('pipeline', () => {
  it('counts created, won and lost in their months, with hit rate, average deal and lead time', async () => {
    const store = await applied(oslo, [
      deal('D1', 1, {
        status: 'won',
        amount: 2_000_000,
        createdAt: '2026-10-01T10:00:00Z',
        closedAt: '2026-11-10T10:00:00Z',
      }),
      deal('D2', 1, {
        status: 'won',
        amount: 1_000_000,
        createdAt: '2026-11-01T10:00:00Z',
        closedAt: '2026-11-04T22:00:00Z',
        ownerId: 'U2',
      }),
      deal('D3', 1, { status: 'lost', createdAt: '2026-11-03T10:00:00Z', closedAt: '2026-11-20T10:00:00Z' }),
      deal('D4', 1, { status: 'open', amount: 5_000_000, createdAt: '2026-11-05T10:00:00Z' }),
      deal('D5', 1, { status: 'open', amount: 4_000_000, createdAt: '2026-09-05T10:00:00Z' }),
    ]);
    // Lead times: 40 days and 3.5 days → 21.75 → 21.8
    expect(report(store).pipeline).toEqual(
      expect.objectContaining({
        created: 3,
        won: 2,
        lost: 1,
        wonValue: 30000,
        openCount: 2,
        openValue: 90000,
        hitRate: 0.667,
        avgDealSize: 15000,
        leadTimeDays: 21.8,
      }),
    );
    expect(pipelineFigure('2026-11', views(store), oslo, 'U2')).toMatchObject({
      created: 1,
      won: 1,
      lost: 0,
      wonValue: 10000,
      openCount: 0,
      hitRate: 1,
      leadTimeDays: 3.5,
    });
  });

  it('moves a deal from open to lost: it leaves the open value and adds to lost', async () => {
    const store = await applied(oslo, [deal('D1', 1, { amount: 3_000_000 })]);
    expect(report(store).pipeline).toMatchObject({ openCount: 1, openValue: 30000, lost: 0 });
    await applyEvents([deal('D1', 2, { amount: 3_000_000, status: 'lost', closedAt: '2026-11-21T09:00:00Z' })], {
      store,
      model: metricModel,
      ctx: oslo,
      now: () => now,
    });
    expect(report(store).pipeline).toMatchObject({
      openCount: 0,
      openValue: 0,
      lost: 1,
      won: 0,
      hitRate: 0,
      created: 1,
    });
  });

  it('gives null ratios rather than dividing by zero', async () => {
    const store = await applied(oslo, []);
    expect(report(store).pipeline).toMatchObject({ hitRate: null, avgDealSize: null, leadTimeDays: null });
  });
});

/**
 * The seed's worked example: six months before 2026-11 hold 11 deals won at 17,707 each, 65 days from creation
 * to close, and 9 lost (hit rate 55 %); one deal of 100,000 is open.
 */
const workedExample = async () => {
  const won = Array.from({ length: 11 }, (_, i) =>
    deal(`W${i}`, 1, {
      status: 'won',
      amount: 1_770_700,
      createdAt: `2026-0${3 + (i % 4)}-01T00:00:00Z`,
      closedAt: new Date(Date.parse(`2026-0${3 + (i % 4)}-01T00:00:00Z`) + 65 * 86_400_000).toISOString(),
    }),
  );
  const lost = Array.from({ length: 9 }, (_, i) =>
    deal(`L${i}`, 1, { status: 'lost', createdAt: '2026-05-01T00:00:00Z', closedAt: '2026-06-15T00:00:00Z' }),
  );
  const open = [deal('O1', 1, { amount: 10_000_000, createdAt: '2026-10-02T00:00:00Z' })];
  return applied(oslo, [...won, ...lost, ...open]);
};

describe('pipeline requirements', () => {
  it('reproduces the worked example: budget 100,000, hit rate 55%, average deal 17,707, lead time 65 days', async () => {
    const store = await workedExample();
    const result = pipelineRequirements({ period: '2026-11', budget: 100_000, months: 6 }, views(store), oslo);
    expect(result).toMatchObject({
      hitRate: 0.55,
      avgDealSize: 17707,
      leadTimeDays: 65,
      basedOn: { from: '2026-05', to: '2026-10', months: 6 },
    });
    // 100,000 / 0.55 = 181,818.18 a month: "about 181,800"
    expect(result.requiredNewValuePerMonth).toBeCloseTo(181_818.18, 2);
    expect(result.requiredNewCountPerMonth).toBeCloseTo(181_818.18 / 17_707, 2);
    expect(result.requiredPipelineValue).toBeCloseTo((181_818.18 * 65) / 30.4375, 0);
    expect(result.actualPipelineValue).toBe(100_000);
    expect(result.whatIf).toBeNull();
  });

  it("answers the worked example's what-if: hit rate +2 points beats lead time -1 %", async () => {
    const store = await workedExample();
    const changes = [parseLeverChange('hitRate', '+2pt'), parseLeverChange('leadTime', '-1%')];
    const result = pipelineRequirements({ period: '2026-11', budget: 100_000, months: 6, changes }, views(store), oslo);
    // By hand: 100,000 / 0.57 = 175,438.596…; 175,438.596 × 65 / 30.4375 = 374,653.27…
    // Lead time 65 × 0.99 = 64.35 days: 181,818.18 × 64.35 / 30.4375 = 384,394.25…
    const [hit, lead] = result.whatIf?.scenarios ?? [];
    expect(hit).toMatchObject({
      changes: { hitRate: '+2pt' },
      hitRate: 0.57,
      avgDealSize: 17_707,
      leadTimeDays: 65,
      requiredNewValuePerMonth: 175_438.6,
      requiredNewCountPerMonth: 9.91, // 175,438.596 / 17,707 = 9.9078…
      requiredPipelineValue: 374_653.27,
      salesVelocityChangePct: 3.64, // 57 / 55 = 1.03636…
    });
    expect(lead).toMatchObject({
      changes: { leadTime: '-1%' },
      hitRate: 0.55,
      leadTimeDays: 64.35,
      requiredNewValuePerMonth: 181_818.18,
      requiredNewCountPerMonth: 10.27, // 181,818.18 / 17,707 = 10.268…
      requiredPipelineValue: 384_394.25,
      salesVelocityChangePct: 1.01, // 1 / 0.99 = 1.0101…
    });
    // Both together: 175,438.596 × 64.35 / 30.4375 = 370,906.73…; velocity 57/55 / 0.99 = 1.046832…
    expect(result.whatIf?.combined).toMatchObject({
      changes: { hitRate: '+2pt', leadTime: '-1%' },
      requiredNewValuePerMonth: 175_438.6,
      requiredPipelineValue: 370_906.73,
      salesVelocityChangePct: 4.68,
    });
    expect(result.whatIf?.bestLever).toBe('hitRate');
    // The current figures stay beside the scenarios.
    expect(result.requiredNewValuePerMonth).toBeCloseTo(181_818.18, 2);
  });

  it('ranks deal size and opportunities on the same scale, and names lead time when it is the bigger change', async () => {
    const store = await workedExample();
    const ask = (...changes: [Lever, string][]) =>
      pipelineRequirements(
        {
          period: '2026-11',
          budget: 100_000,
          months: 6,
          changes: changes.map(([lever, raw]) => parseLeverChange(lever, raw)),
        },
        views(store),
        oslo,
      ).whatIf;
    // Lead time -10 %: velocity × 1/0.9 = +11.11 %; hit rate +2pt: +3.64 %.
    expect(ask(['hitRate', '+2pt'], ['leadTime', '-10%'])?.bestLever).toBe('leadTime');
    // Deal size +1,000 (17,707 → 18,707): required count 181,818.18 / 18,707 = 9.72; velocity +5.65 %.
    const size = ask(['dealSize', '+1000'], ['opportunities', '+5%']);
    expect(size?.scenarios[0]).toMatchObject({
      avgDealSize: 18_707,
      requiredNewCountPerMonth: 9.72,
      requiredPipelineValue: 388_277.02, // unchanged: 181,818.18 × 65 / 30.4375
      salesVelocityChangePct: 5.65, // 18,707 / 17,707 = 1.05647…
    });
    // Opportunities created in 2026-05..10: W2, W3, W6, W7, W10 (May, June), the 9 lost, O1: 15 / 6 = 2.5 a
    // month; +5 % is 2.625.
    expect(size?.scenarios[1]).toMatchObject({ newCountPerMonth: 2.63, salesVelocityChangePct: 5 });
    expect(size?.bestLever).toBe('dealSize');
  });

  it('refuses a change that leaves no valid value, and a change written wrongly', async () => {
    const store = await workedExample();
    const input = (raw: string) => ({
      period: '2026-11',
      budget: 100_000,
      months: 6,
      changes: [parseLeverChange('hitRate', raw)],
    });
    expect(() => pipelineRequirements(input('+46pt'), views(store), oslo)).toThrow(/above 0 and at most 100 %/);
    expect(pipelineRequirements(input('+45pt'), views(store), oslo).whatIf?.scenarios[0]?.hitRate).toBe(1);
    expect(() => pipelineRequirements(input('-55pt'), views(store), oslo)).toThrow(/above 0/);
    expect(() => parseLeverChange('hitRate', '+2')).toThrow(
      'hitRate must be a change such as +2pt (percentage points) or -1% (relative): a sign, up to 6 digits and 6 decimals, "pt" or "%"',
    );
    expect(() => parseLeverChange('leadTime', '-2pt')).toThrow(/^leadTime must be a change such as -3 \(days\)/);
    expect(() => parseLeverChange('dealSize', '-100%')).toThrow(/100 % or more/);
    expect(() => parseLeverChange('opportunities', '1e3')).toThrow(InvalidValueError);
    expect(parseLeverChange('hitRate', ' 2pt')).toMatchObject({ by: 2, unit: 'pt', text: '+2pt' });
    expect(parseLeverChange('leadTime', '3')).toMatchObject({ by: 3, unit: 'own', text: '+3' });
  });

  it('counts only the N full months before the period', async () => {
    const store = await applied(oslo, [
      deal('W1', 1, { status: 'won', createdAt: '2026-10-01T00:00:00Z', closedAt: '2026-10-20T00:00:00Z' }),
      deal('W2', 1, { status: 'won', createdAt: '2026-11-01T00:00:00Z', closedAt: '2026-11-02T00:00:00Z' }),
      deal('L1', 1, { status: 'lost', createdAt: '2026-08-01T00:00:00Z', closedAt: '2026-08-20T00:00:00Z' }),
    ]);
    expect(pipelineRequirements({ period: '2026-11', budget: 1000, months: 2 }, views(store), oslo).hitRate).toBe(1);
    expect(pipelineRequirements({ period: '2026-11', budget: 1000, months: 6 }, views(store), oslo).hitRate).toBe(0.5);
  });

  it('says it cannot compute a requirement without history instead of dividing by zero', async () => {
    const result = pipelineRequirements({ period: '2026-11', budget: 1000, months: 6 }, new Map(), oslo);
    expect(result).toMatchObject({
      hitRate: null,
      requiredNewValuePerMonth: null,
      requiredNewCountPerMonth: null,
      requiredPipelineValue: null,
    });
  });
});
