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
