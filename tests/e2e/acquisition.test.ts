import { type LocalStack, startLocalStack } from '@flash/local';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage, waitForText } from '../support/browser.js';
import { GENERIC_SECRET, postGeneric } from '../support/webhooks.js';

/**
 * Customer acquisition across the seams: signed generic deliveries over real HTTP into the local stack
 * (ingest, bus, queue, aggregator, DynamoDB Local), read back from the query API, its Prometheus text and the
 * dashboard in Chromium. Figures by hand from docs/metrics.md ("Acquisition"), base currency EUR, UTC:
 *
 * - A (Ads, Gold) first invoice 2026-10-05, C (Ads, Gold) 2026-10-07: new in October.
 * - B (Events, Silver) has an invoice of 2026-09-20 (new in September) and a deal won on 2026-10-12; once
 *   that invoice is deleted, the deal is its first sale and B is new in October.
 * - Spend in October: Ads 2,400 EUR and 300 USD, Events 900 EUR.
 */
const PERIOD = '2026-10';
const customers = [
  { type: 'customer', id: 'A', version: 1, channel: 'Ads', segment: 'Gold' },
  { type: 'customer', id: 'B', version: 1, channel: 'Events', segment: 'Silver' },
  { type: 'customer', id: 'C', version: 1, channel: 'Ads', segment: 'Gold' },
];
const invoice = (id: string, customerId: string, invoiceDate: string, total: number, extra = {}) => ({
  type: 'invoice',
  id,
  version: 1,
  customerId,
  number: `N-${id}`,
  status: 'sent',
  invoiceDate,
  total,
  currency: 'EUR',
  ...extra,
});
const sales = [
  invoice('IA', 'A', '2026-10-05', 1200),
  invoice('IB', 'B', '2026-09-20', 800),
  invoice('IC', 'C', '2026-10-07', 600),
  {
    type: 'deal',
    id: 'DB',
    version: 1,
    customerId: 'B',
    status: 'won',
    amount: 5000,
    currency: 'EUR',
    createdAt: '2026-09-01T09:00:00Z',
    closedAt: '2026-10-12T09:00:00Z',
    source: 'events',
  },
];
const spend = [
  { type: 'spend', id: 'S1', version: 1, date: '2026-10-01', amount: 2400, currency: 'EUR', channel: 'Ads' },
  { type: 'spend', id: 'S2', version: 1, date: '2026-10-10', amount: 900, currency: 'EUR', channel: 'Events' },
  { type: 'spend', id: 'S3', version: 1, date: '2026-10-15', amount: 300, currency: 'USD', campaign: 'Ads' },
];
const deleteSeptemberInvoice = [{ ...invoice('IB', 'B', '2026-09-20', 800), version: 2, deleted: true }];

interface Acquisition {
  newCustomers: number;
  spend: number;
  cac: number | null;
  otherCurrencies: Record<string, { spend: number; cac: number | null }>;
  byChannel: { channel: string | null; newCustomers: number; spend: number; cac: number | null }[];
}

describe('customer acquisition over the local stack', () => {
  let stack: LocalStack;
  let browser: Browser;
  beforeAll(async () => {
    stack = await startLocalStack({ env: { WEBHOOK_SECRET_GENERIC: GENERIC_SECRET }, port: 0, logLevel: 'SILENT' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });
  const acquisition = async () =>
    (await (await fetch(`${stack.url}/v1/acquisition?period=${PERIOD}`)).json()) as Acquisition;

  it('counts signed spend and first sales, refuses a bad spend whole, and moves a customer when its first sale goes', async () => {
    for (const events of [customers, sales, spend]) expect((await postGeneric(stack.url, events)).status).toBe(202);
    // One bad event refuses the whole body: the good spend beside it is not counted either.
    const refused = await postGeneric(stack.url, [
      { type: 'spend', id: 'S9', version: 1, date: '2026-10-20', amount: 5000, currency: 'EUR', channel: 'Ads' },
      { type: 'spend', id: 'S8', version: 1, date: '2026-10-20', amount: '12', channel: 'Ads' },
    ]);
    expect(refused.status).toBe(400);
    expect(String(refused.body.error)).toMatch(/^events\[1\]\.amount: /);
    await stack.settled();

    // October: A and C new (Ads); 3,300 EUR / 2 = 1,650; 300 USD / 2 = 150. Ads 2,400 / 2 = 1,200.
    expect(await acquisition()).toMatchObject({
      newCustomers: 2,
      spend: 3300,
      cac: 1650,
      otherCurrencies: { USD: { spend: 300, cac: 150 } },
      byChannel: [
        { channel: 'Ads', newCustomers: 2, spend: 2400, cac: 1200, otherCurrencies: { USD: { spend: 300, cac: 150 } } },
        { channel: 'Events', newCustomers: 0, spend: 900, cac: null },
      ],
    });

    expect((await postGeneric(stack.url, deleteSeptemberInvoice)).status).toBe(202);
    await stack.settled();
    // B's first sale is now its deal won in October: 3 new, 3,300 / 3 = 1,100 EUR, 100 USD; Events 900 / 1.
    const after = await acquisition();
    expect(after).toMatchObject({ newCustomers: 3, spend: 3300, cac: 1100, otherCurrencies: { USD: { cac: 100 } } });
    expect(after.byChannel).toMatchObject([
      { channel: 'Ads', newCustomers: 2, cac: 1200 },
      { channel: 'Events', newCustomers: 1, spend: 900, cac: 900 },
    ]);
    const september = (await (await fetch(`${stack.url}/v1/metrics?period=2026-09`)).json()) as {
      acquisition: { newCustomers: number };
    };
    expect(september.acquisition.newCustomers).toBe(0);

    const scrape = parsePrometheusTextFormat(
      await (await fetch(`${stack.url}/v1/metrics/prometheus?period=${PERIOD}`)).text(),
    );
    const family = (name: string) => scrape.find((f) => f.name === name)?.metrics;
    expect(family('flash_new_customers')).toEqual([{ labels: { period: PERIOD }, value: '3' }]);
    expect(family('flash_cac_amount')).toEqual([
      { labels: { period: PERIOD, currency: 'EUR' }, value: '1100' },
      { labels: { period: PERIOD, currency: 'USD' }, value: '100' },
    ]);
  });

  it('shows CAC per channel on the dashboard and follows a change without a reload', async () => {
    const { page, errors } = await openPage(browser, `${stack.url}/?period=${PERIOD}`);
    await waitForText(page, '[data-field="cac"]', '€1,100');
    expect(await page.locator('#acquisition-panel h2').textContent()).toBe('Customer acquisition');
    const row = (n: number) => page.locator('#cac-channels tr').nth(n).locator('td');
    expect(await row(0).allTextContents()).toEqual([
      'Ads',
      '2',
      '€2,400',
      '€1,200 + $300 spent (CAC part $150)',
      '66.7 %',
    ]);
    expect(await row(1).allTextContents()).toEqual(['Events', '1', '€900', '€900', '33.3 %']);
    // Every cell carries its column's name for narrow screens, like the other tables.
    expect(await row(1).nth(3).getAttribute('data-label')).toBe('CAC');
    expect(await page.locator('#baskets tr').first().locator('td').allTextContents()).toEqual([
      'Gold',
      '2',
      '2',
      '€1,800',
      '€900',
    ]);

    await page.evaluate(() => Object.assign(window, { notReloaded: true }));
    // 600 EUR more on Events: 1,500 / 1.
    const more = { type: 'spend', id: 'S4', version: 1, date: '2026-10-20', amount: 600, channel: 'Events' };
    expect((await postGeneric(stack.url, [more])).status).toBe(202);
    await waitForText(page, '#cac-channels td', '€1,500');
    expect(await page.evaluate(() => 'notReloaded' in window)).toBe(true);
    expect(errors).toEqual([]);
  });
});
