/**
 * An admin sets up a person in headless Chromium: invites them, the person sets a password through the link
 * and signs in; the admin deactivates them, and the person's open console and API token stop working at once.
 * The pages are checked with axe-core and photographed at 1440 px and 390 px.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { createApiToken } from '../../server/domain/users/createApiToken';
import { systemActor } from '../../server/domain/audit/actor';
import { makeUser } from '../factories/factories';
import { screenshot, signInAs, startBrowser, type BrowserSession } from '../support/browser';
import { startTestApp, type TestApp } from '../support/testApp';

jest.setTimeout(90_000);

const AXE = readFileSync(path.resolve(__dirname, '../../node_modules/axe-core/axe.min.js'), 'utf8');
const PASSWORD = 'Sonnenblumen-Fahrrad-77';

let app: TestApp;
let browser: BrowserSession;
beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), startBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

/** axe-core's violations on the page as "rule: target" lines (evaluated, so the page's CSP does not apply). */
async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const result = await (window as unknown as { axe: { run(): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe.run();
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  return violations;
}

async function lookAt(page: Page, name: string) {
  expect(await axeViolations(page)).toEqual([]);
  await screenshot(page, `${name}-1440`);
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await screenshot(page, `${name}-390`);
  await page.setViewportSize({ width: 1440, height: 900 });
}

describe('an admin invites, the person signs in, the admin deactivates them', () => {
  it('when the admin deactivates the invited person, then their open console and their API token stop working at once', async () => {
    const admin = await makeUser(app.services.db, { role: 'admin', locale: 'de', name: 'Ada Admin' });
    const adminPage = await browser.newPage({ locale: 'de-DE', viewport: { width: 1440, height: 900 } });
    await signInAs(adminPage, app.url, admin);

    // The admin finds the users page in the navigation and invites Nina.
    await adminPage.click('nav.mainnav details.navmenu summary');
    await Promise.all([adminPage.waitForURL('**/settings/users'), adminPage.click('nav.mainnav a[href="/settings/users"]')]);
    await lookAt(adminPage, 'users');
    await adminPage.fill('#invite-form input[name="name"]', 'Nina Neu');
    await adminPage.fill('#invite-form input[name="email"]', 'nina.neu@example.test');
    await adminPage.selectOption('#invite-form select[name="role"]', 'agent');
    await adminPage.click('#invite-submit');
    const link = await adminPage.locator('#password-link').inputValue();
    expect(link).toContain('/password?token=rlp_');
    await expect(adminPage.locator('.page-head .pill').textContent()).resolves.toBe('Eingeladen, noch kein Passwort');
    await lookAt(adminPage, 'user-invited');

    // Nina opens the link in her own browser, sets a password and signs in.
    const nina = await browser.newPage({ locale: 'de-DE', viewport: { width: 390, height: 844 } });
    const { pathname, search } = new URL(link);
    await nina.goto(`${app.url}${pathname}${search}`);
    await expect(nina.locator('form#password-form p, section p').first().textContent()).resolves.toContain('Willkommen, Nina Neu');
    expect(await axeViolations(nina)).toEqual([]);
    await screenshot(nina, 'password-link-390');
    await nina.fill('input[name="password"]', PASSWORD);
    await nina.fill('input[name="confirm"]', PASSWORD);
    await nina.click('#password-form button[type="submit"]');
    await nina.locator('#to-login').waitFor();
    await signInAs(nina, app.url, { email: 'nina.neu@example.test', password: PASSWORD });
    await expect(nina.locator('h1').textContent()).resolves.toBe('Posteingang');

    // Nina has an API token (the operator CLI's token:create does the same) that works.
    const ninaRow = await app.services.db.selectFrom('users').select('id').where('email', '=', 'nina.neu@example.test').executeTakeFirstOrThrow();
    const { token } = await app.services.db.transaction().execute((tx) => createApiToken(tx, ninaRow.id, systemActor('cli')));
    const api = () => request(app.url).get('/api/v1/conversations').auth(token, { type: 'bearer' });
    expect((await api()).status).toBe(200);

    // The admin sees Nina active with her token, and deactivates her after confirming.
    await adminPage.goto(`${app.url}/settings/users/${ninaRow.id}`);
    await expect(adminPage.locator('.page-head .pill').textContent()).resolves.toBe('Aktiv');
    await expect(adminPage.locator('#tokens-table tbody tr').count()).resolves.toBe(1);
    await adminPage.click('#deactivate summary');
    await Promise.all([adminPage.waitForURL(`**/settings/users/${ninaRow.id}`), adminPage.click('#deactivate-confirm')]);
    await expect(adminPage.locator('.page-head .pill').textContent()).resolves.toContain('Deaktiviert seit');
    await expect(adminPage.locator('#tokens-table tbody tr td').nth(3).textContent()).resolves.toBe('widerrufen');
    await lookAt(adminPage, 'user-deactivated');

    // At once: Nina's open console sends her to the sign-in page, her token is refused, her password no longer signs in.
    await nina.goto(`${app.url}/inbox`);
    expect(new URL(nina.url()).pathname).toBe('/login');
    expect((await api()).status).toBe(401);
    await nina.fill('input[name="email"]', 'nina.neu@example.test');
    await nina.fill('input[name="password"]', PASSWORD);
    await nina.click('form[action="/login"] button[type="submit"]');
    await expect(nina.locator('.alert').textContent()).resolves.toBe('E-Mail oder Passwort ist falsch.');
  });
});
