import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { currentMonth } from '@flash/core';
import { type LocalStack, startLocalStack } from '@flash/local';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, openPage, waitForText } from '../support/browser.js';
import { GENERIC_SECRET, postGeneric, sampleBusiness } from '../support/webhooks.js';

const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts');

const textOf = (page: Page, selector: string) => page.locator(selector).first().textContent();

describe('dashboard in headless Chromium', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  describe('on an open API', () => {
    let stack: LocalStack;
    const period = currentMonth(new Date(), 'UTC');
    beforeAll(async () => {
      stack = await startLocalStack({ env: { WEBHOOK_SECRET_GENERIC: GENERIC_SECRET }, port: 0, logLevel: 'SILENT' });
      expect((await postGeneric(stack.url, sampleBusiness(period))).status).toBe(202);
      await stack.settled();
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('shows a new detractor, its comment and the new NPS without a reload', async () => {
      const { page, errors } = await openPage(browser, `${stack.url}/`);
      await waitForText(page, '[data-field="npsScore"]', '+60');
      expect(await page.inputValue('#period')).toBe(period);
      expect(await textOf(page, '#detractors-empty')).toMatch(/No detractors/);
      await page.evaluate(() => Object.assign(window, { notReloaded: true }));

      const comment = 'Export breaks <img src=x onerror="document.title=1"> & "quotes" </td>';
      const detractor = {
        type: 'survey_response',
        id: 'R-detractor',
        version: 1,
        customerId: 'C1',
        score: 2,
        submittedAt: new Date().toISOString(),
        comment,
        email: 'angry@acme.example',
      };
      expect((await postGeneric(stack.url, [detractor])).status).toBe(202);

      // 3 promoters, 2 passives and now 1 detractor of 6 responses.
      await waitForText(page, '[data-field="npsScore"]', '+33.3');
      await waitForText(page, '#detractors .comment', comment);
      await waitForText(page, '#alerts li p', comment);
      expect(await page.evaluate(() => 'notReloaded' in window)).toBe(true);
      expect(await textOf(page, '[data-field="detractors"]')).toBe('1');
      expect(await page.locator('#detractors tr').first().locator('td').allTextContents()).toEqual([
        '2',
        comment,
        'angry@acme.example',
        'Acme',
        expect.any(String),
      ]);
      // The customer by the name its customer event gave, its id kept as the tooltip.
      const customerCell = page.locator('#detractors tr').first().locator('td').nth(3);
      expect(await customerCell.getAttribute('title')).toBe('C1');
      // The comment stayed text: no element came out of it.
      expect(await page.locator('#detractors img, #alerts img').count()).toBe(0);
      expect(await page.title()).toBe('Flash figures');
      expect(await textOf(page, '[data-fresh="nps"]')).toMatch(/^updated \d+ s ago$/);
      expect(await textOf(page, '#status')).toMatch(/^Live/);

      await page.fill('#budget', '50000');
      await page.click('#req-form button');
      await page.locator('#req-rows tr').first().waitFor();
      expect(await page.locator('#req-rows th').allTextContents()).toEqual([
        'New pipeline value',
        'New deals',
        'Open pipeline value',
      ]);

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: resolve(ARTIFACTS, 'dashboard.png'), fullPage: true });
      expect(errors).toEqual([]);
    });

    it('keeps the DOM as it is when the API answers 304', async () => {
      const { page } = await openPage(browser, `${stack.url}/?period=${period}`);
      await page.locator('#status.live').waitFor();
      const statuses: number[] = [];
      page.on('response', (response) => {
        if (response.url().includes('/v1/metrics')) statuses.push(response.status());
      });
      await page.evaluate(() => {
        (document.querySelector('[data-field="npsScore"]') as HTMLElement).dataset.marker = 'kept';
      });
      await page.waitForResponse((r) => r.url().includes('/v1/metrics'), { timeout: 10_000 });
      expect(statuses).toContain(304);
      expect(await page.getAttribute('[data-field="npsScore"]', 'data-marker')).toBe('kept');
    });

    it('answers what if in the requirements calculator, naming the lever that helps most', async () => {
      const { page, errors } = await openPage(browser, `${stack.url}/?period=${period}`);
      await page.locator('#status.live').waitFor();
      // The sample's last six months: D3 and D4 won (30,000 and 18,000), D5 lost: hit rate 2/3, deal 24,000.
      await page.fill('#budget', '50000');
      await page.fill('#wi-hitRate', '2');
      await page.fill('#wi-dealSize', '10');
      await page.click('#req-form button');
      await page.locator('#whatif-rows tr').first().waitFor();
      const rows = await page
        .locator('#whatif-rows tr')
        .evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent ?? '')));
      // 50,000 / (2/3 + 0.02) = 72,815.53, / 24,000 = 3.03 deals; velocity 0.6867 / 0.6667 = +3 %.
      // Deal size 26,400: 50,000 / (2/3) = 75,000, / 26,400 = 2.84 deals; velocity +10 %.
      // Both: 72,815.53 / 26,400 = 2.76 deals; velocity 1.03 × 1.1 = +13.3 %.
      expect(rows.map(([change, value, deals, , velocity]) => [change, value, deals, velocity])).toEqual([
        ['Hit rate +2pt', '€72,816', '3', '+3 %'],
        ['Deal size +10%', '€75,000', '2.8', '+10 %'],
        ['Hit rate +2pt, Deal size +10%', '€72,816', '2.8', '+13.3 %'],
      ]);
      expect(await textOf(page, '#whatif-best')).toMatch(/^Helps most: Deal size \+10%/);
      // Without changes the what-if table goes away.
      await page.fill('#wi-hitRate', '');
      await page.fill('#wi-dealSize', '');
      await page.click('#req-form button');
      await page.locator('#whatif-result[hidden]').waitFor({ state: 'attached' });
      expect(errors).toEqual([]);
    });

    it('follows the period picker', async () => {
      const { page } = await openPage(browser, `${stack.url}/`);
      await waitForText(page, '[data-field="npsScore"]', '+33.3');
      await page.fill('#period', '2020-01');
      await waitForText(page, '[data-field="npsScore"]', '–');
      expect(new URL(page.url()).searchParams.get('period')).toBe('2020-01');
      expect(await textOf(page, '#detractors-empty')).toMatch(/No detractors/);
    });
  });

  describe('on an API with a token', () => {
    let stack: LocalStack;
    beforeAll(async () => {
      stack = await startLocalStack({ env: { API_TOKEN: 'page-token' }, port: 0, logLevel: 'SILENT' });
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('asks for the token, keeps it for the tab and then shows the figures', async () => {
      const { page, errors } = await openPage(browser, `${stack.url}/`);
      await page.locator('#auth[open]').waitFor();
      await page.fill('#token', 'wrong');
      await page.click('#auth-form button');
      await page.locator('#auth[open]').waitFor();
      expect(await textOf(page, '#auth-error')).toBe('That token was refused.');

      await page.fill('#token', 'page-token');
      await page.click('#auth-form button');
      await page.locator('#status.live').waitFor();
      expect(await page.locator('#auth[open]').count()).toBe(0);
      expect(await page.evaluate(() => sessionStorage.getItem('flash-figures-token'))).toBe('page-token');
      expect(await textOf(page, '[data-field="npsResponses"]')).toBe('0 responses');
      // The console shows the refused requests; nothing else may fail.
      expect(errors.filter((e) => !/401/.test(e))).toEqual([]);
    });
  });
});
