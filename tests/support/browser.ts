/**
 * Debian's Chromium through playwright-core, headless, for browser tests and for looking at pages.
 * Screenshots go to test-artifacts/ (git-ignored).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--headless',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];
export const ARTIFACTS_DIR = path.resolve(__dirname, '../../test-artifacts');

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/** A launched Chromium where every page gets its own context (its own cookies), all closed together. */
export type BrowserSession = { newPage(options?: BrowserContextOptions): Promise<Page>; close(): Promise<void> };

export async function startBrowser(): Promise<BrowserSession> {
  const browser = await launchBrowser();
  const contexts: BrowserContext[] = [];
  return {
    async newPage(options) {
      const context = await browser.newContext(options);
      contexts.push(context);
      return context.newPage();
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
    },
  };
}

/** Saves a full-page PNG as test-artifacts/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Resolves once the page's SSE stream (htmx-ext-sse's EventSource on [sse-connect]) is open, i.e. the
 * server has answered /events and subscribed it to live events.
 */
export async function eventStreamOpen(page: Page, timeout = 15_000) {
  await page
    .waitForFunction(
      () => {
        const el = document.querySelector('[sse-connect]') as (Element & { 'htmx-internal-data'?: { sseEventSource?: EventSource } }) | null;
        return el?.['htmx-internal-data']?.sseEventSource?.readyState === 1;
      },
      undefined,
      { timeout, polling: 50 },
    )
    .catch(async (err: Error) => {
      const body = (
        await page
          .locator('body')
          .innerText()
          .catch(() => '')
      ).slice(0, 500);
      throw new Error(`${err.message}: the live stream of ${page.url()} never opened; the page says: ${body}`);
    });
}

/**
 * Resolves once the reply form is idle again: its own answer has come back and replaced it. The thread (and
 * the live header) may show the sent reply earlier, from the live event, while the form still holds the text.
 */
export async function replyFormSettled(page: Page) {
  await page.waitForFunction(() => document.querySelector('form[data-reply-form]')?.getAttribute('aria-busy') !== 'true', undefined, {
    polling: 50,
  });
}

/** Signs in through the real form and waits for the inbox. */
export async function signInAs(page: Page, baseUrl: string, user: { email: string; password: string }) {
  await page.goto(`${baseUrl}/login`);
  await page.fill('input[name="email"]', user.email);
  await page.fill('input[name="password"]', user.password);
  await Promise.all([page.waitForURL(/\/inbox/), page.click('form[action="/login"] button[type="submit"]')]);
}
