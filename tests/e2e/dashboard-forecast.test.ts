import { type LocalStack, startLocalStack } from '@flash/local';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chartPoints, launchChromium, openPage, seriesValues } from '../support/browser.js';
import { getJson } from '../support/http.js';
import { GENERIC_SECRET, postGeneric } from '../support/webhooks.js';

const NOW = new Date('2026-11-15T12:00:00Z');

/** A generic deal version seen at `at` in `stage`. */
const deal = (id: string, version: number, at: string, fields: Record<string, unknown>) => ({
  type: 'deal',
  id,
  version,
  customerId: 'C1',
  ownerId: 'U1',
  status: 'open',
  amount: 10_000,
  currency: 'EUR',
  createdAt: '2026-09-01T08:00:00Z',
  ...fields,
  // The generic source dates a version by its receipt; these go in separate deliveries, in order.
  _at: at,
});

/**
 * Closed: W1 proposal → won (10,000 in October), L1 proposal → lost: proposal 1 of 2 = 0.5.
 * Open: O1 proposal 20,000 expected in December → 10,000 weighted; O2 proposal 6,000 expected in November.
 */
const versions = [
  deal('W1', 1, '1', { stage: 'proposal' }),
  deal('L1', 1, '1', { stage: 'proposal' }),
  deal('O1', 1, '1', { stage: 'proposal', amount: 20_000, expectedCloseDate: '2026-12-10' }),
  deal('O2', 1, '1', { stage: 'proposal', amount: 6_000, expectedCloseDate: '2026-11-20' }),
  deal('W1', 2, '2', { stage: 'proposal', status: 'won', closedAt: '2026-10-05T10:00:00Z' }),
  deal('L1', 2, '2', { stage: 'proposal', status: 'lost', closedAt: '2026-10-07T10:00:00Z' }),
];

interface ForecastMonth {
  month: string;
  sold: number;
  forecast: number;
  budget: number | null;
  accumulated: { sold: number; forecast: number; budget: number | null };
}

describe('dashboard forecast against budget, in headless Chromium', () => {
  let browser: Browser;
  let stack: LocalStack;

  beforeAll(async () => {
    [browser, stack] = await Promise.all([
      launchChromium(),
      startLocalStack({ env: { WEBHOOK_SECRET_GENERIC: GENERIC_SECRET }, port: 0, logLevel: 'SILENT', now: () => NOW }),
    ]);
    for (const batch of ['1', '2']) {
      const events = versions.filter((v) => v._at === batch).map(({ _at, ...event }) => event);
      expect((await postGeneric(stack.url, events)).status).toBe(202);
      await stack.settled();
    }
    const put = (path: string, body: unknown) =>
      fetch(`${stack.url}${path}`, { method: 'PUT', body: JSON.stringify(body) });
    expect((await put('/v1/budgets/2026-10', { currency: 'EUR', company: 8_000 })).status).toBe(200);
    expect((await put('/v1/budgets/2026-11', { currency: 'EUR', company: 9_000 })).status).toBe(200);
    expect((await put('/v1/budgets/2026-12', { currency: 'EUR', company: 12_000 })).status).toBe(200);
    expect((await put('/v1/stages/generic', { labels: { proposal: 'Proposal sent' } })).status).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('draws the forecast API per month and accumulated, and the time-in-stage table', async () => {
    const { page, errors } = await openPage(browser, `${stack.url}/?period=2026-11`);
    await page
      .locator('#forecast-accumulated [data-series="budget"] [data-period="2026-12"]')
      .waitFor({ state: 'attached', timeout: 15_000 });
    const answer = await getJson<{ months: ForecastMonth[] }>(`${stack.url}/v1/forecast?from=2026-01&to=2026-12`);
    expect(answer.status).toBe(200);
    const months = answer.body.months;
    // What the months were given: sold 10,000 in October; November O2 6,000 × 0.5; December O1 20,000 × 0.5.
    expect(months.slice(9).map((m) => [m.month, m.sold, m.forecast, m.budget])).toEqual([
      ['2026-10', 10_000, 10_000, 8_000],
      ['2026-11', 0, 3_000, 9_000],
      ['2026-12', 0, 10_000, 12_000],
    ]);

    const monthly = await chartPoints(page, 'forecast-month');
    expect(seriesValues(monthly, 'sold')).toEqual(months.map((m) => [m.month, m.sold]));
    expect(seriesValues(monthly, 'forecast')).toEqual(months.map((m) => [m.month, m.forecast]));
    // Months without a budget draw no bar.
    expect(seriesValues(monthly, 'budget')).toEqual(
      months.flatMap((m) => (m.budget === null ? [] : [[m.month, m.budget]])),
    );
    expect(seriesValues(monthly, 'budget')).toEqual([
      ['2026-10', 8_000],
      ['2026-11', 9_000],
      ['2026-12', 12_000],
    ]);

    const accumulated = await chartPoints(page, 'forecast-accumulated');
    expect(seriesValues(accumulated, 'forecast')).toEqual(months.map((m) => [m.month, m.accumulated.forecast]));
    expect(seriesValues(accumulated, 'sold')).toEqual(months.map((m) => [m.month, m.accumulated.sold]));
    expect(seriesValues(accumulated, 'budget')).toEqual(
      months.flatMap((m) => (m.accumulated.budget === null ? [] : [[m.month, m.accumulated.budget]])),
    );
    expect(seriesValues(accumulated, 'forecast').slice(-3)).toEqual([
      ['2026-10', 10_000],
      ['2026-11', 13_000],
      ['2026-12', 23_000],
    ]);

    // Accessible like the other charts: an image with a title and a summary, and the figures as a table.
    expect(await page.getAttribute('#forecast-month svg.plot', 'role')).toBe('img');
    expect(await page.textContent('#forecast-accumulated svg.plot title')).toBe(
      'Sold, forecast and budget accumulated over the year',
    );
    expect(await page.locator('#forecast-month table.data tbody tr').count()).toBe(12);

    // The time-in-stage table: proposal, reached by two closed deals of which one won, one lost there, shown by
    // its configured label, its id and source as the tooltip.
    const first = page.locator('#stage-times tr').first();
    const row = await first.locator('td').allTextContents();
    expect(row[0]).toBe('Proposal sent');
    expect(await first.locator('td').first().getAttribute('title')).toBe('proposal (generic)');
    expect(await first.locator('td').first().getAttribute('data-id')).toBe('proposal');
    expect(row[3]).toBe('1');
    expect(row[4]).toBe('50 % (n=2)');
    // The strict CSP held: nothing was refused, nothing failed.
    expect(errors).toEqual([]);
  });
});
