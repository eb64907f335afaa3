import { type Browser, type BrowserContextOptions, chromium, type Page } from 'playwright-core';

/**
 * Debian's Chromium, headless, with the background networking a closed machine refuses turned off.
 * `.ci/run` installs the package where it is missing.
 */
export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });

/** A page whose console errors (a CSP violation, a script error) fail the test. */
export const openPage = async (browser: Browser, url: string, options: BrowserContextOptions = {}) => {
  const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1440, height: 900 }, ...options });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  return { page, errors };
};

/** Waits (through a few 5 s polls) until some element matching the selector has the expected text. */
export const waitForText = (page: Page, selector: string, expected: string) =>
  page.waitForFunction(
    ([s, text]) => Array.from(document.querySelectorAll(s ?? '')).some((e) => e.textContent === text),
    [selector, expected] as const,
    { timeout: 15_000 },
  );

/** One point of a chart, as the page's data attributes say (packages/dashboard/src/browser/chart.ts). */
export interface ChartPoint {
  series: string;
  period: string;
  value: number;
}

/** The points a chart draws, as its data attributes say. */
export const chartPoints = (page: Page, chart: string): Promise<ChartPoint[]> =>
  page.$$eval(`#${chart} [data-series] [data-period]`, (nodes) =>
    nodes.map((n) => ({
      series: n.closest('[data-series]')?.getAttribute('data-series') ?? '',
      period: n.getAttribute('data-period') ?? '',
      value: Number(n.getAttribute('data-value')),
    })),
  );

/** One series of a chart's points as [period, value] pairs. */
export const seriesValues = (points: ChartPoint[], series: string) =>
  points.filter((p) => p.series === series).map((p) => [p.period, p.value]);
