import { type LocalStack, startLocalStack } from '@flash/local';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage, waitForText } from '../support/browser.js';
import { GENERIC_SECRET, postGeneric } from '../support/webhooks.js';

/**
 * ChannelCRM's two KPI examples end to end: signed generic webhooks carrying activities, profile and user put
 * through the configuration API, GET /v1/kpis over real HTTP on the local stack (DynamoDB Local underneath),
 * with the API token set; personal tokens limited to their user's figures; the dashboard's My KPIs.
 */
const API_TOKEN = 'admin-token-for-the-activity-test';
const DAY = 86_400_000;

interface Kpi {
  template: string;
  actual: number | null;
  target: number;
  score: number | null;
}

describe('activities and personal KPIs through the local stack', () => {
  let stack: LocalStack;
  let browser: Browser;
  const now = Date.now();
  const at = (days: number) => new Date(now + days * DAY).toISOString();
  const call = (path: string, init: RequestInit & { token?: string } = {}) =>
    fetch(`${stack.url}${path}`, {
      ...init,
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${init.token ?? API_TOKEN}`,
        ...(init.headers as Record<string, string>),
      },
    });
  const kpis = async (query: string, token?: string) => {
    const response = await call(`/v1/kpis?${query}`, { token });
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as { kpis: Kpi[] };
  };

  beforeAll(async () => {
    [stack, browser] = await Promise.all([
      startLocalStack({
        env: { WEBHOOK_SECRET_GENERIC: GENERIC_SECRET, API_TOKEN },
        port: 0,
        logLevel: 'SILENT',
      }),
      launchChromium(),
    ]);
    const meeting = { type: 'activity', version: 1, kind: 'meeting', ownerId: 'seller-1', doneAt: null };
    const events = [
      // Six meetings planned in the next 14 days, one in 20 days, one done, one of another seller.
      ...[0.5, 2, 4, 6, 9, 13].map((d, i) => ({ ...meeting, id: `P${i}`, customerId: 'K1', dueAt: at(d) })),
      { ...meeting, id: 'P-late', customerId: 'K1', dueAt: at(20) },
      { ...meeting, id: 'P-other', ownerId: 'seller-2', customerId: 'X', dueAt: at(3) },
      // Four key accounts; meetings done with three of them in the last 90 days (K4's was 120 days ago).
      ...['K1', 'K2', 'K3', 'K4'].map((id) => ({ type: 'customer', id, version: 1, ownerId: 'seller-1' })),
      { type: 'customer', id: 'X', version: 1, ownerId: 'seller-2' },
      ...[
        ['K1', -5],
        ['K2', -30],
        ['K3', -80],
        ['K4', -120],
      ].map(([customerId, d]) => ({
        ...meeting,
        id: `M-${customerId}`,
        customerId,
        dueAt: at(Number(d)),
        doneAt: at(Number(d)),
      })),
      // seller-2's figures, which seller-1's token must never see.
      { type: 'deal', id: 'D-2', version: 1, ownerId: 'seller-2', customerId: 'X', status: 'open', amount: 5000 },
    ];
    expect((await postGeneric(stack.url, events)).status).toBe(202);
    await stack.settled();
    for (const [path, body] of [
      [
        '/v1/profiles/sellers',
        {
          name: 'Sellers',
          kpis: [
            { template: 'meetingsPlanned', target: 10 },
            { template: 'keyAccountsMet', target: 100 },
          ],
        },
      ],
      ['/v1/users/sam', { name: 'Sam', profileId: 'sellers', ownerIds: ['seller-1'] }],
      ['/v1/users/kim', { name: 'Kim', profileId: 'sellers', ownerIds: ['seller-2'] }],
    ] as const) {
      const response = await call(path, { method: 'PUT', body: JSON.stringify(body) });
      expect(response.status, await response.clone().text()).toBe(200);
    }
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('ChannelCRM: six meetings planned of ten, 60 %; three of four key accounts met, 75 %', async () => {
    const { kpis: sam } = await kpis('user=sam');
    expect(sam.map(({ template, actual, target, score }) => ({ template, actual, target, score }))).toEqual([
      { template: 'meetingsPlanned', actual: 6, target: 10, score: 60 },
      { template: 'keyAccountsMet', actual: 75, target: 100, score: 75 },
    ]);
  });

  it('shows every user of a profile side by side', async () => {
    const team = (await kpis('profile=sellers')) as unknown as { users: { user: { id: string }; kpis: Kpi[] }[] };
    expect(
      team.users
        .map((u) => [u.user.id, u.kpis.map((k) => k.actual)])
        .sort(([a], [b]) => String(a).localeCompare(String(b))),
    ).toEqual([
      ['kim', [1, 0]],
      ['sam', [6, 75]],
    ]);
    expect((await call('/v1/kpis?user=sam&profile=sellers')).status).toBe(400);
  });

  it("a personal token reads its user's own figures and never another owner's", async () => {
    const issued = await call('/v1/users/sam/tokens', { method: 'POST', body: JSON.stringify({ label: 'phone' }) });
    expect(issued.status).toBe(201);
    const { token, tokenId, companyFigures } = (await issued.json()) as Record<string, string>;
    expect(token).toMatch(/^ffp_/);
    expect(companyFigures).toBe(false);

    expect((await kpis('user=sam', token)).kpis.map((k) => k.score)).toEqual([60, 75]);
    expect((await call('/v1/pipeline?owner=seller-1', { token })).status).toBe(200);
    for (const path of [
      '/v1/kpis?user=kim',
      '/v1/kpis?profile=sellers',
      '/v1/pipeline?owner=seller-2',
      '/v1/coaching?owner=seller-2',
      '/v1/pipeline',
      '/v1/metrics',
      '/v1/metrics/segments?by=owner',
      '/v1/users',
    ]) {
      const response = await call(path, { token });
      expect(response.status, path).toBe(403);
      expect(await response.text(), path).not.toContain('5000');
    }
    // It never writes, and the API token still does everything.
    expect((await call('/v1/users/sam', { method: 'DELETE', token })).status).toBe(403);
    expect((await call('/v1/metrics')).status).toBe(200);

    // Granted company figures: the company's, still not another person's.
    const granted = (await (
      await call('/v1/users/sam/tokens', { method: 'POST', body: JSON.stringify({ companyFigures: true }) })
    ).json()) as Record<string, string>;
    expect((await call('/v1/metrics', { token: granted.token })).status).toBe(200);
    expect((await call('/v1/pipeline', { token: granted.token })).status).toBe(200);
    expect((await call('/v1/pipeline?owner=seller-2', { token: granted.token })).status).toBe(403);

    // Revoked: refused from then on.
    expect((await call(`/v1/users/sam/tokens/${tokenId}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call('/v1/kpis?user=sam', { token })).status).toBe(401);
    expect((await call(`/v1/users/kim/tokens/${granted.tokenId}`, { method: 'DELETE' })).status).toBe(404);
  });

  it("shows the activity templates in the dashboard's My KPIs", async () => {
    const { page, errors } = await openPage(browser, `${stack.url}/`);
    await page.evaluate((token) => sessionStorage.setItem('flash-figures-token', token), API_TOKEN);
    // Before it had the token, the page was refused (a 401 in the console); from here on nothing may fail.
    errors.splice(0);
    await page.goto(`${stack.url}/?user=sam`);
    await waitForText(page, '#gauges li[data-template="meetingsPlanned"] .pct', '60 %');
    await waitForText(page, '#gauges li[data-template="keyAccountsMet"] .pct', '75 %');
    expect(await page.locator('#gauges li[data-template="meetingsPlanned"] h3').textContent()).toBe(
      'Meetings planned, next 14 days',
    );
    expect(await page.locator('#gauges li[data-template="keyAccountsMet"] h3').textContent()).toBe(
      'Key accounts met, last 90 days',
    );
    // The figure and its target lead the card; the score follows.
    expect(await page.locator('#gauges li[data-template="meetingsPlanned"] .actual').textContent()).toBe('6 meetings');
    expect(await page.locator('#gauges li[data-template="meetingsPlanned"] .target').textContent()).toBe(
      'target 10 meetings',
    );
    expect(errors).toEqual([]);
  });

  it('deletes users and profiles: a profile still in use is refused with 409', async () => {
    const inUse = await call('/v1/profiles/sellers', { method: 'DELETE' });
    expect(inUse.status).toBe(409);
    expect(((await inUse.json()) as { error: string }).error).toMatch(/"kim", "sam"|"sam", "kim"/);
    for (const user of ['sam', 'kim']) expect((await call(`/v1/users/${user}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call('/v1/kpis?user=sam')).status).toBe(400);
    expect((await call('/v1/profiles/sellers', { method: 'DELETE' })).status).toBe(204);
    expect(((await (await call('/v1/profiles')).json()) as { profiles: unknown[] }).profiles).toEqual([]);
  });
});
