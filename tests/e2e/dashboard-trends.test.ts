import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { addMonths, currentMonth } from '@flash/core';
import { type LocalStack, startLocalStack } from '@flash/local';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chartPoints, launchChromium, openPage, seriesValues, waitForText } from '../support/browser.js';
import { getJson } from '../support/http.js';
import { GENERIC_SECRET, postGeneric } from '../support/webhooks.js';

const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts');

/** Two years of history ending this month: month k (0 = oldest, 23 = this month). */
const period = currentMonth(new Date(), 'UTC');
const months = Array.from({ length: 24 }, (_, k) => addMonths(period, k - 23));

// The figures each month is given, written down here so the expected values do not come from the code.
const billingOf = (k: number) => 1_000 * (k + 1);
/** Cost booked on a customer project in month k. */
const costOf = (k: number) => 300 * (k + 1);
/** NPS responses of month k (only the last 12 months have any): promoters, passives, detractors. */
const npsOf = (k: number) => (k < 12 ? null : { promoters: 1 + (k % 3), passives: 1, detractors: k % 2 });
/** Deals of month k (last 12 months): created in the month, of which won and lost in the same month. */
const dealsOf = (k: number) =>
  k < 12 ? null : { created: 2 + (k % 3), won: k % 2 === 0 ? 1 : 0, lost: k % 3 === 0 ? 1 : 0 };

const history = () => {
  const events: Record<string, unknown>[] = [
    { type: 'customer', id: 'C1', version: 1, name: 'Acme Industries', internal: false, segment: 'Enterprise' },
    { type: 'project', id: 'P1', version: 1, customerId: 'C1', status: 'open', internal: false },
  ];
  months.forEach((month, k) => {
    const day1 = `${month}-01`;
    events.push({
      type: 'invoice',
      id: `I${k}`,
      version: 1,
      customerId: 'C1',
      number: `N-${k}`,
      status: 'sent',
      invoiceDate: day1,
      total: billingOf(k),
      currency: 'EUR',
    });
    events.push({
      type: 'cost',
      id: `K${k}`,
      version: 1,
      projectId: 'P1',
      date: day1,
      amount: costOf(k),
      currency: 'EUR',
    });
    const nps = npsOf(k);
    if (nps) {
      const scores = [
        ...Array<number>(nps.promoters).fill(10),
        ...Array<number>(nps.passives).fill(8),
        ...Array<number>(nps.detractors).fill(3),
      ];
      events.push(
        ...scores.map((score, i) => ({
          type: 'survey_response',
          id: `R${k}-${i}`,
          version: 1,
          customerId: 'C1',
          score,
          submittedAt: `${day1}T09:0${i}:00Z`,
          comment: score < 7 ? `Too slow in ${month}` : null,
          email: 'buyer@acme.example',
        })),
      );
    }
    const deals = dealsOf(k);
    if (deals)
      for (let i = 0; i < deals.created; i++) {
        const status = i < deals.won ? 'won' : i < deals.won + deals.lost ? 'lost' : 'open';
        events.push({
          type: 'deal',
          id: `D${k}-${i}`,
          version: 1,
          customerId: 'C1',
          ownerId: 'U1',
          status,
          stage: status === 'open' ? 'proposal' : status,
          amount: 10_000,
          currency: 'EUR',
          createdAt: `${day1}T08:00:00Z`,
          closedAt: status === 'open' ? null : `${day1}T12:00:00Z`,
        });
      }
  });
  return events;
};

interface SeriesMonth {
  period: string;
  nps: { score: number | null; responses: number };
  billing: { thisMonth: number };
  margin: { yearToMonth: { billing: number; margin: number } | null };
  pipeline: { created: number; won: number; lost: number };
  activeCustomers: number;
  prospectsInPipeline: number;
}

describe('dashboard trends, in headless Chromium on a year of history', () => {
  let browser: Browser;
  let stack: LocalStack;
  let series: SeriesMonth[];

  beforeAll(async () => {
    [browser, stack] = await Promise.all([
      launchChromium(),
      startLocalStack({ env: { WEBHOOK_SECRET_GENERIC: GENERIC_SECRET }, port: 0, logLevel: 'SILENT' }),
    ]);
    expect((await postGeneric(stack.url, history())).status).toBe(202);
    await stack.settled();
    const answer = await getJson<{ months: SeriesMonth[] }>(
      `${stack.url}/v1/metrics/series?from=${months[0]}&to=${period}`,
    );
    expect(answer.status).toBe(200);
    series = answer.body.months;
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('draws the series API: billing against the year before, NPS with its responses, the pipeline flow', async () => {
    const { page, errors } = await openPage(browser, `${stack.url}/`);
    await page.locator('#trend-pipeline [data-series="lost"]').waitFor({ state: 'attached', timeout: 15_000 });
    const shown = months.slice(12);
    const last12 = series.slice(12);
    const before = series.slice(0, 12);

    const billing = await chartPoints(page, 'trend-billing');
    // What the series API answers, and what the months were given.
    expect(seriesValues(billing, 'billing')).toEqual(last12.map((m) => [m.period, m.billing.thisMonth]));
    expect(seriesValues(billing, 'billing')).toEqual(shown.map((month, i) => [month, billingOf(12 + i)]));
    // Last year's line is drawn at the month it is compared with.
    expect(seriesValues(billing, 'billingYearBefore')).toEqual(before.map((m, i) => [shown[i], m.billing.thisMonth]));
    expect(seriesValues(billing, 'billingYearBefore')).toEqual(shown.map((month, i) => [month, billingOf(i)]));

    const nps = await chartPoints(page, 'trend-nps');
    expect(seriesValues(nps, 'nps')).toEqual(last12.map((m) => [m.period, m.nps.score]));
    const expectedNps = shown.map((month, i) => {
      const r = npsOf(12 + i);
      if (!r) throw new Error('no responses');
      const total = r.promoters + r.passives + r.detractors;
      return [month, Math.round((1000 * (r.promoters - r.detractors)) / total) / 10];
    });
    expect(seriesValues(nps, 'nps')).toEqual(expectedNps);
    // The response counts are under each month, and in the figures table.
    expect(await page.locator('#trend-nps .under').allTextContents()).toEqual(
      last12.map((m) => `n=${m.nps.responses}`),
    );

    const flow = await chartPoints(page, 'trend-pipeline');
    for (const key of ['created', 'won', 'lost'] as const) {
      // A bar of 0 is drawn (flat) so each month keeps its place.
      expect(seriesValues(flow, key)).toEqual(last12.map((m) => [m.period, m.pipeline[key]]));
      expect(seriesValues(flow, key)).toEqual(shown.map((month, i) => [month, dealsOf(12 + i)?.[key]]));
    }

    // The sparklines draw the same months.
    expect(await page.getAttribute('[data-spark="billing"] svg', 'data-values')).toBe(
      last12.map((m) => m.billing.thisMonth).join(','),
    );
    expect(await page.getAttribute('[data-spark="customers"] svg', 'data-values')).toBe(
      last12.map((m) => m.activeCustomers).join(','),
    );

    // Billing and margin of the year so far, month by month, restarting in January; the year's margin under it.
    const sumOfYear = (k: number, of: (j: number) => number) => {
      let sum = 0;
      for (let j = k; j >= 0 && (months[j] as string).slice(0, 4) === (months[k] as string).slice(0, 4); j--)
        sum += of(j);
      return sum;
    };
    const ytd = (k: number) => sumOfYear(k, billingOf);
    const cumulative = await chartPoints(page, 'trend-margin');
    expect(seriesValues(cumulative, 'billingYtd')).toEqual(shown.map((month, i) => [month, ytd(12 + i)]));
    // The margin line is the series API's margin January to each month's end, and what the months were given.
    expect(seriesValues(cumulative, 'marginYtd')).toEqual(last12.map((m) => [m.period, m.margin.yearToMonth?.margin]));
    expect(seriesValues(cumulative, 'marginYtd')).toEqual(
      shown.map((month, i) => [month, sumOfYear(12 + i, (j) => billingOf(j) - costOf(j))]),
    );
    const yearK = months.flatMap((m, k) => (m.startsWith(period.slice(0, 4)) ? [k] : []));
    const margin = yearK.reduce((sum, k) => sum + billingOf(k) - costOf(k), 0);
    const marginPct = (100 * margin) / yearK.reduce((sum, k) => sum + billingOf(k), 0);
    expect(await page.locator('#trend-margin .note').textContent()).toBe(
      `Margin ${period.slice(0, 4)} so far: €${margin.toLocaleString('en-US')} (${marginPct.toFixed(1).replace(/\.0$/, '')} % of billing)`,
    );

    // The billing tile's comparisons: last month, the same month a year ago, the year to date.
    const euros = (n: number) => `€${n.toLocaleString('en-US')}`;
    const compare = await page.locator('[data-compare="billing"] li').allTextContents();
    const name = (k: number) =>
      new Date(`${months[k]}-01T00:00Z`).toLocaleDateString('en-US', {
        timeZone: 'UTC',
        month: 'short',
        year: 'numeric',
      });
    expect(compare[0]).toBe(`vs ${name(22)}: ${euros(billingOf(22))}`);
    expect(compare[1]).toBe(`vs ${name(11)}: ${euros(billingOf(11))}`);
    expect(compare.at(-1)).toBe(`${period.slice(0, 4)} to date: ${euros(ytd(23))}`);
    await page.screenshot({ path: resolve(ARTIFACTS, 'dashboard-desktop.png'), fullPage: true });
    // Accessible: each chart is an image with a title, and its values are a table.
    expect(await page.locator('#trend-billing svg[role="img"] title').first().textContent()).toMatch(/^Billing/);
    await page.locator('#trend-billing summary').click();
    const lastRow = page.locator('#trend-billing table tbody tr').last();
    const fmt = (n: number) => `€${n.toLocaleString('en-US')}`;
    expect(await lastRow.locator('td').allTextContents()).toEqual([fmt(billingOf(23)), fmt(billingOf(11))]);

    await page.locator('#trend-billing').screenshot({ path: resolve(ARTIFACTS, 'dashboard-billing-table.png') });
    expect(errors).toEqual([]);
  });

  it('labels the "now" figures at month end for a past month', async () => {
    const past = months[20] as string;
    const { page, errors } = await openPage(browser, `${stack.url}/?period=${past}`);
    const name = new Date(`${past}-01T00:00Z`).toLocaleDateString('en-US', {
      timeZone: 'UTC',
      month: 'short',
      year: 'numeric',
    });
    await waitForText(page, '#kpi-customers .asof', `at end of ${name}`);
    expect(await page.locator('#pipeline-panel .asof').allTextContents()).toEqual([
      `at end of ${name}`,
      `at end of ${name}`,
    ]);
    const current = await openPage(browser, `${stack.url}/`);
    await waitForText(current.page, '#kpi-customers .asof', 'now');
    expect(errors).toEqual([]);
  });

  it('shows what is at stake with a detractor and when they answered', async () => {
    // Raised after the history is in, so what is at stake is the whole history's.
    const answered = `${period}-01T10:30:00Z`;
    const detractor = { type: 'survey_response', id: 'R-late', version: 1, customerId: 'C1', score: 1 };
    expect(
      (await postGeneric(stack.url, [{ ...detractor, submittedAt: answered, comment: 'Invoices are wrong' }])).status,
    ).toBe(202);
    await stack.settled();
    const { page, errors } = await openPage(browser, `${stack.url}/`);
    await waitForText(page, '#alerts li p', 'Invoices are wrong');
    const first = page.locator('#alerts li', { hasText: 'Invoices are wrong' });
    const stake = await first.locator('.stake div').allTextContents();
    // The year's invoices of C1 (this year's months of the history) and its open deals at 10,000 each.
    const thisYear = months.map((m, k) => [m, k] as const).filter(([m]) => m.startsWith(period.slice(0, 4)));
    const billed = thisYear.reduce((sum, [, k]) => sum + billingOf(k), 0);
    const open = months.reduce((n, _, k) => {
      const d = dealsOf(k);
      return n + (d ? d.created - d.won - d.lost : 0);
    }, 0);
    expect(stake).toEqual([
      `Billed this year€${billed.toLocaleString('en-US')}`,
      `Open pipeline€${(open * 10_000).toLocaleString('en-US')} (${open} deals)`,
      'SegmentEnterprise',
    ]);
    expect(await first.locator('time').getAttribute('datetime')).toBe(answered);
    expect(await first.locator('time').textContent()).toMatch(/^answered /);
    expect(errors).toEqual([]);
  });

  it('fits a phone: no horizontal scroll, tables stacked', async () => {
    const { page, errors } = await openPage(browser, `${stack.url}/`, {
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    await page.locator('#trend-pipeline [data-series="lost"]').waitFor({ state: 'attached', timeout: 15_000 });
    await page.locator('#alerts li').first().waitFor();
    const widths = await page.evaluate(() => ({
      scroll: document.scrollingElement?.scrollWidth ?? Number.POSITIVE_INFINITY,
      inner: window.innerWidth,
    }));
    // The page is laid out for the phone's width (not zoomed out to fit something wider), and nothing is wider.
    expect(widths.inner).toBe(390);
    expect(widths.scroll).toBeLessThanOrEqual(widths.inner);
    // A table row is stacked: each cell shows its column's name beside the value.
    expect(await page.locator('#segments td').first().getAttribute('data-label')).toBe('Segment');
    await page.screenshot({ path: resolve(ARTIFACTS, 'dashboard-phone.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('TV mode: large type, no controls, sections in rotation', async () => {
    const { page, errors } = await openPage(browser, `${stack.url}/?tv=1&rotate=1`, {
      viewport: { width: 1920, height: 1080 },
    });
    await page.locator('#trend-billing [data-series="billing"]').waitFor({ state: 'attached', timeout: 15_000 });
    // Every second the next section: watch a few go by.
    const seen: string[] = [];
    for (let i = 0; i < 30 && new Set(seen).size < 3; i++) {
      const now = await page.evaluate(() => document.documentElement.dataset.onAir ?? '');
      if (seen.at(-1) !== now) seen.push(now);
      await page.waitForTimeout(200);
    }
    const order = [
      'trends-panel',
      'forecast-panel',
      'nps-panel',
      'pipeline-panel',
      'alerts-panel',
      'segments-panel',
      'coaching-panel',
    ];
    expect(new Set(seen).size).toBe(3);
    // In the page's order, one after the other, My KPIs left out (the URL names no user).
    const start = order.indexOf(seen[0] as string);
    expect(seen).toEqual([0, 1, 2].map((i) => order[(start + i) % order.length]));
    // Exactly one section on air, and nothing to click or type into.
    expect(await page.locator('[data-slide]:visible').count()).toBe(1);
    expect(await page.locator('input:visible, select:visible, button:visible, summary:visible').count()).toBe(0);
    expect(await page.locator('#tv-link').isVisible()).toBe(false);
    await page.waitForFunction(() => document.documentElement.dataset.onAir === 'trends-panel', undefined, {
      timeout: 10_000,
    });
    await page.screenshot({ path: resolve(ARTIFACTS, 'dashboard-tv.png') });
    expect(errors).toEqual([]);
  });
});
