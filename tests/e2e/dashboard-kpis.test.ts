import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { currentMonth } from '@flash/core';
import { type LocalStack, startLocalStack } from '@flash/local';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage, waitForText } from '../support/browser.js';
import { eventually, getJson } from '../support/http.js';
import { PIPEDRIVE_AUTH, pipedriveDealChange, postPipedrive } from '../support/pipedrive.js';
import { GENERIC_SECRET, postGeneric, sampleBusiness } from '../support/webhooks.js';

const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts');

/** CRM text that must stay text: stage names and lost reasons are typed by users. */
const STAGE = 'Proposal <img src=x onerror="document.title=\'pwned\'">';
const REASON = 'Price <b>too high</b> & "no budget"';

interface Kpi {
  template: string;
  actual: number | null;
  target: number;
  score: number | null;
}

const put = async (baseUrl: string, path: string, body: unknown) => {
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status, await response.clone().text()).toBe(200);
};

const day = (date: Date) => date.toISOString().slice(0, 10);

const gauge = (template: string) => `#gauges li[data-template="${template}"]`;

describe('dashboard: my KPIs, segments and coaching', () => {
  let browser: Browser;
  let stack: LocalStack;
  const period = currentMonth(new Date(), 'UTC');
  const now = Date.now();

  beforeAll(async () => {
    [browser, stack] = await Promise.all([
      launchChromium(),
      startLocalStack({
        env: { WEBHOOK_SECRET_GENERIC: GENERIC_SECRET, PIPEDRIVE_BASIC_AUTH: PIPEDRIVE_AUTH },
        port: 0,
        logLevel: 'SILENT',
      }),
    ]);
    const labels: Record<string, object> = {
      C1: { segment: 'Enterprise', channel: 'Partner' },
      C2: { segment: 'SMB', channel: 'Direct' },
    };
    const business: Record<string, unknown>[] = sampleBusiness(period).map((e) =>
      e.type === 'customer' ? { ...e, ...labels[String(e.id)] } : e,
    );
    const thisMonth = `${period}-01T08:00:00Z`;
    const deal = { type: 'deal', version: 1, ownerId: 'U1', currency: 'EUR', createdAt: thisMonth };
    business.push(
      { ...deal, id: 'D6', customerId: 'C2', status: 'open', stage: STAGE, amount: 12_000, source: 'Web form' },
      { ...deal, id: 'D7', customerId: 'C2', status: 'lost', stage: 'lost', amount: 9_000, source: 'Referral' },
    );
    Object.assign(business.at(-1) as object, { closedAt: thisMonth, lostReason: REASON });
    expect((await postGeneric(stack.url, business)).status).toBe(202);
    // A deal past its expected close date, untouched since: a real Pipedrive delivery of 20 days ago.
    const stale = pipedriveDealChange({
      id: 1187,
      ownerId: 12415231,
      status: 'open',
      at: new Date(now - 20 * 86_400_000),
      expectedCloseDate: day(new Date(now - 10 * 86_400_000)),
    });
    expect((await postPipedrive(stack.url, stale)).status).toBe(202);
    await stack.settled();
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('tells how to create profiles and users while there are none', async () => {
    const { page, errors } = await openPage(browser, `${stack.url}/`);
    await page.locator('#mine-empty:not([hidden])').waitFor({ timeout: 15_000 });
    expect(await page.locator('#mine-empty').textContent()).toContain('PUT /v1/profiles/sales');
    expect(await page.locator('#user-form').isHidden()).toBe(true);
    expect(await page.locator('#mine-profiles').textContent()).toBe('No KPI profiles or users yet.');
    await page.locator('#mine-panel').screenshot({ path: resolve(ARTIFACTS, 'dashboard-kpis-empty.png') });
    expect(errors).toEqual([]);
  });

  // How fast is measured by the bench (freshness p50/p99 on a quiet machine), not asserted on a shared one.
  it('acceptance: a Pipedrive deal change moves the user\u2019s score in GET /v1/kpis, live', async () => {
    await put(stack.url, '/v1/profiles/closer', {
      name: 'Closer',
      kpis: [
        { template: 'wonValue', target: 100_000 },
        { template: 'dealsCreated', target: 2 },
      ],
    });
    await put(stack.url, '/v1/users/bob', { name: 'Bob', profileId: 'closer', ownerIds: ['777001'] });
    const kpis = async () => (await getJson<{ kpis: Kpi[] }>(`${stack.url}/v1/kpis?user=bob`)).body.kpis;
    const before = await kpis();
    expect(before.map((k) => k.score)).toEqual([0, 0]);

    // The fixture as Pipedrive sends it, for Bob's Pipedrive user id, won now.
    const body = pipedriveDealChange({ id: 5001, ownerId: 777001, status: 'won', value: 24_000 });
    expect((await postPipedrive(stack.url, body)).status).toBe(202);
    const { value: after } = await eventually(async () => {
      const now = await kpis();
      return now[0]?.score === 24 ? now : undefined;
    }, 10_000);
    expect(after).toMatchObject([
      { template: 'wonValue', actual: 24_000, target: 100_000, score: 24 },
      { template: 'dealsCreated', actual: 1, target: 2, score: 50 },
    ]);
    // Wrong credentials are refused and move nothing.
    expect((await postPipedrive(stack.url, body, 'hook-user:guess')).status).toBe(401);
  });

  it('shows the KPI score moving without a reload, remembers the user in the URL and revalidates with 304', async () => {
    await put(stack.url, '/v1/profiles/sales', {
      name: 'Sales',
      kpis: [
        { template: 'wonValue', target: 100_000 },
        { template: 'dealsCreated', target: 2 },
        { template: 'hitRate', target: 50 },
        { template: 'nps', target: 30 },
        { template: 'openDealsPlanned', target: 3, label: 'Deals to close within 30 days' },
      ],
    });
    await put(stack.url, '/v1/users/ann', { name: 'Ann', profileId: 'sales', ownerIds: ['U1'] });

    const { page, errors } = await openPage(browser, `${stack.url}/`);
    await page.locator('#user option[value="ann"]').waitFor({ state: 'attached', timeout: 15_000 });
    await page.selectOption('#user', 'ann');
    expect(new URL(page.url()).searchParams.get('user')).toBe('ann');
    // D2 won 25,000 this month against 100,000.
    await waitForText(page, `${gauge('wonValue')} .pct`, '25 %');
    expect(await page.locator(gauge('wonValue')).getAttribute('class')).toBe('lvl-bad');
    expect(await page.locator(`${gauge('wonValue')} .verdict`).textContent()).toBe('far behind');
    // The figure and its target lead, the score follows.
    expect(await page.locator(`${gauge('wonValue')} .fig span`).allTextContents()).toEqual([
      '€25,000',
      'target €100,000',
    ]);
    expect(await page.locator(`${gauge('wonValue')} .score-line`).textContent()).toBe('25 % of target');
    expect(await page.locator(`${gauge('hitRate')} .fig span`).allTextContents()).toEqual(['60 %', 'target 50 %']);
    expect(await page.locator(`${gauge('hitRate')}`).getAttribute('class')).toBe('lvl-good');
    expect(await page.locator(`${gauge('nps')} .verdict`).textContent()).toBe('no data');
    expect(await page.locator(`${gauge('openDealsPlanned')} h3`).textContent()).toBe('Deals to close within 30 days');
    expect(await page.locator(`${gauge('wonValue')} .fresh`).textContent()).toMatch(/^updated \d+ s ago$/);
    expect(await page.inputValue('#user')).toBe('ann');
    await page.evaluate(() => Object.assign(window, { notReloaded: true }));

    const statuses: number[] = [];
    page.on('response', (r) => {
      if (r.url().includes('/v1/kpis')) statuses.push(r.status());
    });
    const won = { type: 'deal', id: 'D8', version: 1, customerId: 'C1', ownerId: 'U1', status: 'won', stage: 'won' };
    const today = new Date().toISOString();
    expect(
      (await postGeneric(stack.url, [{ ...won, amount: 60_000, currency: 'EUR', createdAt: today, closedAt: today }]))
        .status,
    ).toBe(202);
    await waitForText(page, `${gauge('wonValue')} .pct`, '85 %');
    expect(await page.locator(gauge('wonValue')).getAttribute('class')).toBe('lvl-warn');
    expect(await page.locator(`${gauge('wonValue')} .actual`).textContent()).toBe('€85,000');
    expect(await page.evaluate(() => 'notReloaded' in window)).toBe(true);
    await page.waitForResponse((r) => r.url().includes('/v1/kpis') && r.status() === 304, { timeout: 12_000 });
    expect(statuses).toContain(304);
    await page.locator('#mine-panel').screenshot({ path: resolve(ARTIFACTS, 'dashboard-kpis.png') });

    await page.selectOption('#user', 'bob');
    await waitForText(page, `${gauge('wonValue')} .pct`, '24 %');
    expect(new URL(page.url()).searchParams.get('user')).toBe('bob');
    expect(await page.locator('#gauges li').count()).toBe(2);
    expect(errors).toEqual([]);
  });

  it('opens on the user in the URL, and says so when that user does not exist', async () => {
    expect((await fetch(`${stack.url}/?user=bob&by=channel`)).status).toBe(200);
    const bob = await openPage(browser, `${stack.url}/?user=bob&by=channel`);
    await waitForText(bob.page, `${gauge('wonValue')} .pct`, '24 %');
    expect(await bob.page.inputValue('#user')).toBe('bob');
    expect(await bob.page.isChecked('#by input[value="channel"]')).toBe(true);

    const { page } = await openPage(browser, `${stack.url}/?user=nobody`);
    await page.locator('#mine-error:not(:empty)').waitFor({ timeout: 15_000 });
    expect(await page.locator('#mine-error').textContent()).toMatch(/user "nobody" does not exist/);
    expect(await page.locator('#status').textContent()).toMatch(/^Live/);
  });

  it('breaks the period down by segment, channel and owner', async () => {
    const { page, errors } = await openPage(browser, `${stack.url}/?period=${period}`);
    await waitForText(page, '#segments td', 'Enterprise');
    const enterprise = page.locator('#segments tr', { hasText: 'Enterprise' });
    // C1's five responses (3 promoters, 2 passives), its invoices and D2 + D8 won.
    expect(await enterprise.locator('td').allTextContents()).toEqual([
      'Enterprise',
      '+60',
      '5',
      '€20,700',
      '€10,350',
      '€85,000',
    ]);
    expect(await page.locator('#segments-total td').first().textContent()).toBe('Total');

    await page.getByRole('radio', { name: 'Channel' }).check();
    await waitForText(page, '#segments td', 'Partner');
    expect(await page.locator('#by-head').textContent()).toBe('Channel');
    expect(new URL(page.url()).searchParams.get('by')).toBe('channel');
    await page.getByRole('radio', { name: 'Owner' }).check();
    // Owner U1 is one of Ann's CRM ids: her name, the id beside it as a tooltip.
    await waitForText(page, '#segments td', 'Ann');
    const ann = page.locator('#segments td[data-id="U1"]');
    expect([await ann.textContent(), await ann.getAttribute('title')]).toEqual(['Ann', 'U1']);
    await page.getByRole('radio', { name: 'Segment' }).check();
    await waitForText(page, '#segments td', 'Enterprise');
    expect(errors).toEqual([]);
  });

  it('shows coaching figures and stale deals by name, CRM text as text', async () => {
    // Who Pipedrive's owner 12415231 and organisation 342 are, and what its stage 4 is called.
    await put(stack.url, '/v1/users/nora', { name: 'Nora Lind', profileId: 'sales', ownerIds: ['12415231'] });
    await put(stack.url, '/v1/stages/pipedrive', { labels: { '4': 'Negotiation' } });
    expect(
      (await postGeneric(stack.url, [{ type: 'customer', id: '342', version: 1, name: 'Nordlicht GmbH' }])).status,
    ).toBe(202);
    await stack.settled();
    const { page, errors } = await openPage(browser, `${stack.url}/`);
    await waitForText(page, '#stages td', STAGE);
    await waitForText(page, '#stages td', 'Negotiation');
    await waitForText(page, '#lost span', REASON);
    await waitForText(page, '#sources td', 'Web form');
    // The deal's title from the Pipedrive payload, the stage's label, the owner's and the customer's names.
    await waitForText(page, '#stale td', 'Nordlicht GmbH - annual licence');
    const cells = page.locator('#stale tr').first().locator('td');
    const stale = await cells.allTextContents();
    expect(stale.slice(0, 5)).toEqual([
      'Nordlicht GmbH - annual licence',
      'Negotiation',
      'Nora Lind',
      'Nordlicht GmbH',
      `${new Date(now - 10 * 86_400_000).toLocaleDateString('en-US', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' })} · 10 d late`,
    ]);
    // Each id is still there, as the cell's tooltip.
    expect(await cells.evaluateAll((tds) => tds.slice(0, 4).map((td) => td.getAttribute('title')))).toEqual([
      '1187 (pipedrive)',
      '4',
      '12415231',
      '342',
    ]);
    const stage = page.locator('#stages td[data-id="4"]');
    expect([await stage.textContent(), await stage.getAttribute('title')]).toEqual(['Negotiation', '4 (pipedrive)']);

    // Renamed in the ERP and in the users: the next poll shows the new names.
    await put(stack.url, '/v1/users/nora', { name: 'Nora Berg', profileId: 'sales', ownerIds: ['12415231'] });
    expect(
      (await postGeneric(stack.url, [{ type: 'customer', id: '342', version: 2, name: 'Nordlicht AG' }])).status,
    ).toBe(202);
    await stack.settled();
    await waitForText(page, '#stale td', 'Nordlicht AG');
    await waitForText(page, '#stale td', 'Nora Berg');
    expect(await page.locator('#stale-count').textContent()).toBe('1');
    expect(await page.locator('main img, main b').count()).toBe(0);
    expect(await page.title()).toBe('Flash figures');
    await page.locator('#gauges li').first().waitFor();

    await page.screenshot({ path: resolve(ARTIFACTS, 'dashboard-full.png'), fullPage: true });
    await page.locator('#segments-panel').screenshot({ path: resolve(ARTIFACTS, 'dashboard-segments.png') });
    await page.locator('#coaching-panel').screenshot({ path: resolve(ARTIFACTS, 'dashboard-coaching.png') });
    expect(errors).toEqual([]);

    const dark = await openPage(browser, `${stack.url}/`, { colorScheme: 'dark' });
    await dark.page.locator('#gauges li').first().waitFor();
    await waitForText(dark.page, '#stale td', 'Nordlicht GmbH - annual licence');
    await dark.page.screenshot({ path: resolve(ARTIFACTS, 'dashboard-dark.png'), fullPage: true });
    expect(dark.errors).toEqual([]);
    // Two pages and four screenshots, each page drawing 24 months of trends: more than the default on a shared CPU.
  }, 60_000);
});
