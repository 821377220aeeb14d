/**
 * The alert settings page in Chromium, in German: at 1440 and 390 px (screenshots in test-artifacts/), a
 * new rule chosen by kind and created from the keyboard, and the test e-mail's outcome shown in place.
 */
import { makeApiChannel, makeUser } from '../factories/factories';
import { screenshot, signInAs, startBrowser, type BrowserSession } from '../support/browser';
import { startSmtpSink, type SmtpSink } from '../support/smtpSink';
import { startTestApp, type TestApp } from '../support/testApp';

jest.setTimeout(120_000);

let app: TestApp;
let browser: BrowserSession;
let smtp: SmtpSink;

beforeAll(async () => {
  [app, browser, smtp] = await Promise.all([startTestApp(), startBrowser(), startSmtpSink()]);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await smtp?.close();
});

it('when a manager picks a kind, fills the thresholds from the keyboard and sends a test e-mail, then the rule is listed and the outcome is shown in words', async () => {
  const manager = await makeUser(app.services.db, { role: 'manager', name: 'Karla Kanal', locale: 'de' });
  await makeApiChannel(app.services.db, app.services.secretBox, { name: 'Webshop-API mit einem recht langen Kanalnamen' });
  const page = await browser.newPage({ locale: 'de-DE', viewport: { width: 1440, height: 900 } });
  await signInAs(page, app.url, manager);
  await page.goto(`${app.url}/settings/alerts`);

  await page.selectOption('#new-kind', 'channel_failure');
  await Promise.all([page.waitForURL(/kind=channel_failure/), page.click('.kind-choice button')]);
  await page.focus('#rule-new-silentMinutes');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('90');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Tab');
  expect(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.value)).toBe('console');
  await Promise.all([page.waitForURL(/#rule-/), page.locator('form[data-form="rule-new"] button[type="submit"]').press('Enter')]);
  expect(await page.textContent('#rules')).toContain('Kanalstörung');

  await page.fill('#smtp-host', smtp.host);
  await page.fill('#smtp-port', String(smtp.port));
  await page.fill('#smtp-from', 'alerts@replyline.test');
  await Promise.all([page.waitForURL(/#smtp/), page.click('form[data-form="smtp"] button[type="submit"]')]);
  await page.focus('#send-test-mail');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#smtp-test-result .notice');
  expect(await page.textContent('#smtp-test-result')).toContain(`Test-E-Mail an ${manager.email} gesendet.`);
  await smtp.waitFor(1);
  await screenshot(page, 'alert-settings-de-1440');
  await page.setViewportSize({ width: 390, height: 800 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await screenshot(page, 'alert-settings-de-390');
});
