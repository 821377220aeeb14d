/**
 * Website chat in the console (issue #18): a German manager on a phone-sized screen finds the chat sites from the
 * channels page, fills in a new site from the keyboard, gets a German hint at a wrong origin, and then sees the
 * embed snippet and copies it.
 */
import type { Page } from 'playwright-core';
import { makeUser } from '../factories/factories';
import { axeFindings } from '../support/axe';
import { screenshot, signInAs, startBrowser, type BrowserSession } from '../support/browser';
import { startTestApp, type TestApp } from '../support/testApp';

jest.setTimeout(120_000);

let app: TestApp;
let browser: BrowserSession;
let page: Page;

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), startBrowser()]);
  const manager = await makeUser(app.services.db, { role: 'manager', locale: 'de', name: 'Jonas Berger' });
  page = await browser.newPage({ locale: 'de-DE', viewport: { width: 390, height: 844 }, bypassCSP: true });
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
  await signInAs(page, app.url, manager);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

it('when a German manager creates a chat site from the keyboard, then a wrong origin is explained in German, and the saved site shows its snippet to copy', async () => {
  await page.goto(`${app.url}/settings/channels`);
  await page.getByRole('link', { name: 'Website-Chat einrichten' }).click();
  await page.waitForURL('**/settings/chat-sites');
  expect(await page.getByRole('heading', { name: 'Neue Chat-Website' }).isVisible()).toBe(true);

  const form = page.locator('form[data-form="chat-site-new"]');
  await form.getByLabel('Name', { exact: true }).focus();
  await page.keyboard.type('Webshop');
  await page.keyboard.press('Tab'); // colour
  await page.keyboard.press('Tab'); // origins
  await page.keyboard.type('https://shop.example.de/kasse');
  await form.getByLabel('Titel').first().fill('Fragen Sie uns');
  await form.getByLabel('E-Mail der Besucher').selectOption('required');
  await form.locator('textarea[name="invitationRules"]').fill('/kasse* 30');
  await form.getByRole('button', { name: 'Anlegen' }).focus();
  await page.keyboard.press('Enter');

  await page.waitForLoadState('load');
  const refused = page.locator('form[data-form="chat-site-new"]');
  expect(await refused.getByRole('alert').textContent()).toContain('Bitte prüfen Sie die markierten Angaben.');
  expect(await refused.locator('textarea[name="allowedOrigins"]').getAttribute('aria-invalid')).toBe('true');
  expect(await refused.locator('textarea[name="allowedOrigins"]').inputValue()).toBe('https://shop.example.de/kasse');
  expect(await refused.getByLabel('Name', { exact: true }).inputValue()).toBe('Webshop');

  await refused.locator('textarea[name="allowedOrigins"]').fill('https://shop.example.de');
  await refused.getByRole('button', { name: 'Anlegen' }).press('Enter');
  await page.waitForURL(/\/settings\/chat-sites\/[0-9a-f-]{36}\?notice=created$/);
  expect(await page.getByRole('status').first().textContent()).toContain('Die Chat-Website ist angelegt');

  const siteId = /chat-sites\/([0-9a-f-]{36})/.exec(page.url())![1]!;
  const snippet = `<script src="${app.services.config.baseUrl}/widget/v1/widget.js" data-site="${siteId}" async></script>`;
  expect(await page.locator('#embed-snippet').inputValue()).toBe(snippet);
  await page.getByRole('button', { name: 'Code kopieren' }).press('Enter');
  await page.getByText('Kopiert.').waitFor();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(snippet);

  // the form shows what was saved; the page fits the phone and axe-core finds nothing serious
  expect(await page.locator('input[name="de.title"]').inputValue()).toBe('Fragen Sie uns');
  expect(await page.locator('select[name="prechatEmail"]').inputValue()).toBe('required');
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  expect(await axeFindings(page)).toEqual([]);
  await screenshot(page, 'chat-site-created');
});
