import { acquisitionReport, rebuildAggregates } from '@flash/app';
import {
  applyEvents,
  type CanonicalEvent,
  type MetricContext,
  metricModel,
  metricsReport,
  readReport,
  reportReads,
} from '@flash/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshTable } from '../support/dynamo.js';
import { customer, deal, invoice, spend } from '../support/events.js';

const ctx: MetricContext = { timeZone: 'Europe/Oslo', baseCurrency: 'EUR' };
const now = new Date('2026-11-23T10:00:00Z');

/**
 * Spend and new customers in different months and currencies. Expected values are written from the
 * definitions (docs/metrics.md, "Acquisition"), by hand:
 *
 * - C1 (Ads, Gold): first sale the invoice of 2026-11-03 (its deal is won later, in December) → new in November.
 * - C2 (Ads, Silver): an invoice of 2026-10-20 made it new in October, until it was deleted (a later batch);
 *   its deal won on 2026-11-10 is now its first sale → new in November.
 * - C3 (Partner, Gold): invoices of 2026-11-05 (2,000 EUR) and 2026-11-06 (300 USD) → new in November.
 * - C4 (Partner): internal → never a new customer (its invoice still counts in billing and the basket).
 * - C5 (Ads): first invoice 2026-10-01 → new in October; its November invoice makes it no newer.
 * - C6: a draft invoice only → no sale, never new.
 * Spend: Ads 3,000 EUR (2026-11-04) and 500 USD (2026-11-20); Partner 1,000 EUR in October; the campaign
 * "Spring" (no channel) 200 EUR in November; Ads 700 EUR at 2026-11-30T23:30Z, which is 00:30 on 1 December
 * in Oslo; and 9,999 EUR of Ads spend that was deleted.
 */
const history: CanonicalEvent[][] = [
  [
    customer('C1', 1, { channel: 'Ads', segment: 'Gold' }),
    customer('C2', 1, { channel: 'Ads', segment: 'Silver' }),
    customer('C3', 1, { channel: 'Partner', segment: 'Gold' }),
    customer('C4', 1, { channel: 'Partner', internal: true }),
    customer('C5', 1, { channel: 'Ads' }),
    invoice('I1', 1, { customerId: 'C1', status: 'issued', total: 100_000, invoiceDate: '2026-11-03' }),
    invoice('I2', 1, { customerId: 'C2', status: 'issued', total: 50_000, invoiceDate: '2026-10-20' }),
    invoice('I3', 1, { customerId: 'C3', status: 'issued', total: 200_000, invoiceDate: '2026-11-05' }),
    invoice('I4', 1, { customerId: 'C3', status: 'issued', total: 30_000, currency: 'USD', invoiceDate: '2026-11-06' }),
    invoice('I5', 1, { customerId: 'C4', status: 'issued', total: 10_000, invoiceDate: '2026-11-07' }),
    invoice('I6', 1, { customerId: 'C5', status: 'issued', total: 5_000, invoiceDate: '2026-10-01' }),
    invoice('I7', 1, { customerId: 'C5', status: 'issued', total: 40_000, invoiceDate: '2026-11-08' }),
    invoice('I8', 1, { customerId: 'C6', status: 'draft', total: 70_000, invoiceDate: '2026-11-09' }),
    spend('S1', 1, { channel: 'Ads', amount: 300_000, date: '2026-11-04' }),
    spend('S2', 1, { channel: 'Ads', amount: 50_000, currency: 'USD', date: '2026-11-20' }),
    spend('S3', 1, { channel: 'Partner', amount: 100_000, date: '2026-10-15' }),
    spend('S4', 1, { channel: null, campaign: 'Spring', amount: 20_000, date: '2026-11-02' }),
    spend('S5', 1, { channel: 'Ads', amount: 70_000, date: '2026-11-30T23:30:00Z' }),
    spend('S6', 1, { channel: 'Ads', amount: 999_900, date: '2026-11-12' }),
  ],
  [
    // Deal sources: marketing created 3 in November and won 1 of them; sales created 1 and won it.
    deal('D1', 1, {
      customerId: 'C1',
      source: 'marketing',
      status: 'won',
      createdAt: '2026-11-02T10:00:00Z',
      closedAt: '2026-12-02T10:00:00Z',
    }),
    deal('D2', 1, {
      customerId: 'C2',
      source: 'sales',
      status: 'won',
      createdAt: '2026-11-01T10:00:00Z',
      closedAt: '2026-11-10T10:00:00Z',
    }),
    deal('D3', 1, { customerId: 'C7', source: 'marketing', createdAt: '2026-11-03T10:00:00Z' }),
    deal('D4', 1, {
      customerId: 'C7',
      source: 'marketing',
      status: 'lost',
      createdAt: '2026-11-04T10:00:00Z',
      closedAt: '2026-11-05T10:00:00Z',
    }),
  ],
  // Later: C2's October invoice is deleted, and so is the big Ads spend.
  [
    invoice(
      'I2',
      2,
      { customerId: 'C2', status: 'issued', total: 50_000, invoiceDate: '2026-10-20' },
      { deleted: true },
    ),
    spend('S6', 2, { channel: 'Ads', amount: 999_900, date: '2026-11-12' }, { deleted: true }),
  ],
];

describe('acquisition: spend, new customers, CAC, sources and baskets on DynamoDB Local', () => {
  let table: Awaited<ReturnType<typeof freshTable>>;
  beforeAll(async () => {
    table = await freshTable();
    for (const batch of history)
      await applyEvents(batch, { store: table.store, model: metricModel, ctx, now: () => now });
  });
  afterAll(async () => {
    await table.drop();
  });

  it('counts CAC per month and per channel, each currency apart', async () => {
    const november = await acquisitionReport(table.store, '2026-11', ctx);
    // New: C1, C2 (Ads), C3 (Partner). Spend: 3,000 + 200 EUR, 500 USD. CAC 3,200 / 3 = 1,066.67 EUR and
    // 500 / 3 = 166.67 USD.
    expect(november).toMatchObject({
      newCustomers: 3,
      spend: 3200,
      cac: 1066.67,
      otherCurrencies: { USD: { spend: 500, cac: 166.67 } },
    });
    expect(november.byChannel).toEqual([
      // 3,000 EUR / 2 = 1,500; 500 USD / 2 = 250.
      { channel: 'Ads', newCustomers: 2, spend: 3000, cac: 1500, otherCurrencies: { USD: { spend: 500, cac: 250 } } },
      // Partner's spend was in October: nothing spent on November's customer.
      { channel: 'Partner', newCustomers: 1, spend: 0, cac: 0, otherCurrencies: {} },
      // A campaign without a channel counts under the campaign's name; no customer names it.
      { channel: 'Spring', newCustomers: 0, spend: 200, cac: null, otherCurrencies: {} },
    ]);

    // October: C5 only (C2 moved to November when its invoice was deleted); Partner's 1,000 EUR.
    const october = await acquisitionReport(table.store, '2026-10', ctx);
    expect(october).toMatchObject({ newCustomers: 1, spend: 1000, cac: 1000, otherCurrencies: {} });
    expect(october.byChannel).toEqual([
      { channel: 'Ads', newCustomers: 1, spend: 0, cac: 0, otherCurrencies: {} },
      { channel: 'Partner', newCustomers: 0, spend: 1000, cac: null, otherCurrencies: {} },
    ]);

    // December in Oslo holds the spend of 2026-11-30T23:30Z, and no new customer: C1's won deal is not a first.
    const december = await acquisitionReport(table.store, '2026-12', ctx);
    expect(december).toMatchObject({ newCustomers: 0, spend: 700, cac: null });
  });

  it('gives conversion per lead source and the average basket per segment beside it', async () => {
    const november = await acquisitionReport(table.store, '2026-11', ctx);
    expect(november.bySource).toEqual([
      { source: 'marketing', created: 3, won: 1, conversionRate: 0.333 },
      { source: 'sales', created: 1, won: 1, conversionRate: 1 },
    ]);
    // Gold: C1 1,000 + C3 2,000 EUR from 2 customers = 1,500 each; C3's 300 USD apart. Silver: C2 billed
    // nothing in November. No segment: C5 400 + C4 100 EUR from 2 customers = 250.
    expect(november.bySegment).toEqual([
      {
        segment: 'Gold',
        newCustomers: 2,
        billing: 3000,
        billedCustomers: 2,
        basketPerCustomer: 1500,
        otherCurrencies: { USD: { billing: 300, billedCustomers: 1, basketPerCustomer: 300 } },
      },
      { segment: null, newCustomers: 0, billing: 500, billedCustomers: 2, basketPerCustomer: 250, otherCurrencies: {} },
      {
        segment: 'Silver',
        newCustomers: 1,
        billing: 0,
        billedCustomers: 0,
        basketPerCustomer: null,
        otherCurrencies: {},
      },
    ]);
  });

  it("puts the month's acquisition among the headline figures, which the rebuild agrees with", async () => {
    const inputs = await readReport(table.store, reportReads(['2026-11'], '2026-11-23'));
    expect(metricsReport('2026-11', inputs, ctx, now).acquisition).toMatchObject({
      newCustomers: 3,
      spend: 3200,
      cac: 1066.67,
      otherCurrencies: { USD: { spend: 500, cac: 166.67 } },
    });
    const verified = await rebuildAggregates({
      store: table.store,
      model: metricModel,
      ctx,
      now: () => now,
      mode: 'verify',
    });
    expect(verified.drift).toEqual([]);
  });
});
