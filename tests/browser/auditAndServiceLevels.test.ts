/**
 * The calendar editor and the audit page in German Chromium at 1440 and 390 px: a manager builds opening
 * hours with a split shift and a night shift by clicks, picks a holiday region and sees its dates; an
 * auditor reads the log as sentences and verifies the chain on demand. axe-core finds nothing serious or
 * critical (WCAG 2.1 AA) and nothing of the page's content is wider than the phone's screen.
 */
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { screenshot, startBrowser, type BrowserSession, signInAs } from '../support/browser';
import { startTestApp, type TestApp } from '../support/testApp';

jest.setTimeout(120_000);

const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const WIDTHS = [1440, 390];

let app: TestApp;
let browser: BrowserSession;
beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), startBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

type Finding = { id: string; impact: string; targets: string[] };

async function axeFindings(page: Page): Promise<Finding[]> {
  await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async () => {
    type Violation = { id: string; impact: string; nodes: { target: string[] }[] };
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Violation[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => n.target.join(' ')).slice(0, 5) }));
  });
}

/**
 * What of the page's own content (#main; the shared top bar is not this page's) sticks out past the
 * right edge of the screen, named by tag and class.
 */
const overflow = (page: Page) =>
  page.evaluate(() => {
    const limit = document.documentElement.clientWidth;
    return [...document.querySelectorAll('#main *')]
      .filter((el) => el.getBoundingClientRect().right > limit + 1 && !el.closest('.sr-only'))
      .slice(0, 8)
      .map((el) => `${el.tagName.toLowerCase()}.${String(el.className)}`);
  });

async function germanPage(user: { email: string; password: string }, width: number): Promise<Page> {
  const page = await browser.newPage({ locale: 'de-DE', viewport: { width, height: 900 }, bypassCSP: true });
  await signInAs(page, app.url, user);
  return page;
}

describe('the weekly opening-hours editor', () => {
  it('when a German manager builds a split shift, a night shift, a holiday region and a closure by clicks, then the calendar is saved and shows its holidays', async () => {
    const manager = await makeUser(app.services.db, { role: 'manager', locale: 'de' });
    const page = await germanPage(manager, 1440);
    await page.goto(`${app.url}/settings/sla`);
    const form = page.locator('form[data-form="calendar-new"]');
    await form.getByLabel('Name').fill('Kundendienst Bayern');
    await form.getByLabel('Feiertage (Region)').selectOption({ label: 'Deutschland – Bayern' });
    await form.getByLabel('Mo, Beginn Intervall 1').fill('08:00');
    await form.getByLabel('Mo, Ende Intervall 1').fill('12:00');
    await form.locator('fieldset[data-day="mon"] [data-add-row]').click();
    await form.getByLabel('Mo, Beginn Intervall 2').fill('13:00');
    await form.getByLabel('Mo, Ende Intervall 2').fill('18:00');
    await form.getByLabel('Fr, Beginn Intervall 1').fill('22:00');
    await form.getByLabel('Fr, Ende Intervall 1').fill('06:00');
    await form.getByLabel('Schließtag 1').fill('2026-12-24');
    await Promise.all([page.waitForURL(/saved=1/), form.getByRole('button', { name: 'Anlegen' }).click()]);

    const stored = await app.services.db.selectFrom('calendars').select('definition').where('name', '=', 'Kundendienst Bayern').executeTakeFirstOrThrow();
    expect(stored.definition).toMatchObject({
      weekly: {
        mon: [
          ['08:00', '12:00'],
          ['13:00', '18:00'],
        ],
        fri: [['22:00', '06:00']],
        tue: [['08:00', '18:00']],
      },
      holidays: { country: 'DE', region: 'BY' },
      closures: ['2026-12-24'],
    });
    const saved = page.locator('form.calendar-form', { has: page.locator('input[name="name"][value="Kundendienst Bayern"]') });
    await expect(saved.locator('fieldset[data-day="fri"] .overnight').textContent()).resolves.toBe('bis zum Folgetag');
    await saved.locator('.holiday-dates summary').click();
    await expect(saved.locator('.holiday-dates').textContent()).resolves.toContain('Heilige Drei Könige');
    await screenshot(page, 'sla-editor-de-1440');
  });

  it.each(WIDTHS)(
    'when the settings page is shown %i px wide in German, then axe-core finds nothing serious and none of its content sticks out',
    async (width) => {
      const manager = await makeUser(app.services.db, { role: 'manager', locale: 'de' });
      const page = await germanPage(manager, width);
      await page.goto(`${app.url}/settings/sla`);
      await expect(axeFindings(page)).resolves.toEqual([]);
      await expect(overflow(page)).resolves.toEqual([]);
      await screenshot(page, `sla-settings-de-${width}`);
    },
  );
});

describe('the audit page', () => {
  it.each(WIDTHS)(
    'when a German auditor reads the log %i px wide and verifies the chain, then sentences and the result show, axe-core finds nothing serious and none of its content sticks out',
    async (width) => {
      const { db, secretBox } = app.services;
      const channel = await makeApiChannel(db, secretBox, { name: 'Webshop API' });
      await request(app.url)
        .post(`/api/v1/channels/${channel.channelId}/messages`)
        .auth(channel.ingestToken, { type: 'bearer' })
        .send(inboundPost())
        .expect(201);
      const auditor = await makeUser(db, { role: 'auditor', locale: 'de', name: 'Ada Prüfer' });
      const page = await germanPage(auditor, width);
      await page.goto(`${app.url}/audit?scope=all`);
      await expect(page.locator('#audit-table').textContent()).resolves.toContain('Kanal „Webshop API“ hat eine Nachricht empfangen');
      await Promise.all([page.waitForURL(/\/audit$/), page.getByRole('button', { name: 'Jetzt prüfen' }).click()]);
      await expect(page.locator('#chain-badge').textContent()).resolves.toMatch(/Hash-Kette intakt bis Ereignis #\d+ – geprüft .* von Ada Prüfer/);
      await expect(page.locator('#audit-table').textContent()).resolves.toContain('Ada Prüfer hat die Hash-Kette geprüft');
      await expect(axeFindings(page)).resolves.toEqual([]);
      await expect(overflow(page)).resolves.toEqual([]);
      await screenshot(page, `audit-de-${width}`);
    },
  );
});
