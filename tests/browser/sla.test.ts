/**
 * Service levels as a manager sees them in headless Chromium: a warning pops up live in the inbox when
 * a post reaches its warning instant; the row shows the state and the time left; the settings page
 * re-renders an invalid calendar with the problem named.
 */
import type { Page } from 'playwright-core';
import request from 'supertest';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { eventStreamOpen, startBrowser, type BrowserSession, screenshot, signInAs } from '../support/browser';
import { startTestApp, type TestApp } from '../support/testApp';

jest.setTimeout(60_000);

let app: TestApp;
let browser: BrowserSession;

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp({ workers: true }), startBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function newPage(): Promise<Page> {
  return browser.newPage({ locale: 'en-GB', viewport: { width: 1280, height: 800 } });
}

async function channelWithPolicy(managerToken: string) {
  const channel = await makeApiChannel(app.services.db, app.services.secretBox, { name: 'Webshop API' });
  const policy = await request(app.url)
    .post('/api/v1/sla-policies')
    .auth(managerToken, { type: 'bearer' })
    .send({ name: '24/7 one hour', calendarId: null, firstResponseMinutes: 60, nextResponseMinutes: 60, warnAtPercent: 50 })
    .expect(201);
  await request(app.url)
    .patch(`/api/v1/channels/${channel.channelId}`)
    .auth(managerToken, { type: 'bearer' })
    .send({ slaPolicyId: policy.body.id })
    .expect(200);
  return channel;
}

describe('SLA in the console', () => {
  it('when a post reaches its warning instant, then a manager with the inbox open sees the warning pop up live, and an agent does not', async () => {
    const manager = await makeUser(app.services.db, { role: 'manager', locale: 'en' });
    const agent = await makeUser(app.services.db, { role: 'agent', locale: 'en' });
    const channel = await channelWithPolicy(manager.token);

    const managerPage = await newPage();
    await signInAs(managerPage, app.url, manager);
    const agentPage = await newPage();
    await signInAs(agentPage, app.url, agent);
    await Promise.all([managerPage.goto(`${app.url}/inbox?sort=due`), agentPage.goto(`${app.url}/inbox?sort=due`)]);
    await Promise.all([eventStreamOpen(managerPage), eventStreamOpen(agentPage)]);

    // Posted 29 min 57 s ago on a 60-minute policy warning at 50 %: the warning is 3 seconds away.
    const posted = await request(app.url)
      .post(`/api/v1/channels/${channel.channelId}/messages`)
      .auth(channel.ingestToken, { type: 'bearer' })
      .send(inboundPost({ text: 'Wo bleibt mein Paket?', postedAt: new Date(Date.now() - 29 * 60_000 - 57_000).toISOString() }))
      .expect(201);

    const toast = managerPage.locator('#sla-toasts .toast-warning');
    await toast.waitFor({ state: 'visible', timeout: 20_000 });
    await expect(toast.textContent()).resolves.toContain(`#${posted.body.caseNumber}`);
    const row = managerPage.locator(`li[data-conversation-id="${posted.body.conversationId}"]`);
    await row.locator('[data-sla-state="warning"]').waitFor({ timeout: 10_000 });
    await expect(row.locator('.sla-due').textContent()).resolves.toMatch(/min left/);
    await screenshot(managerPage, 'sla-warning-toast');

    await agentPage.locator(`li[data-conversation-id="${posted.body.conversationId}"] [data-sla-state="warning"]`).waitFor({ timeout: 10_000 });
    expect(await agentPage.locator('#sla-toasts .toast').count()).toBe(0);

    await toast.locator('[data-dismiss-toast]').click();
    expect(await managerPage.locator('#sla-toasts .toast').count()).toBe(0);
  });

  it('when a manager saves a calendar with overlapping hours, then the page re-renders with the problem and nothing is saved', async () => {
    const manager = await makeUser(app.services.db, { role: 'manager', locale: 'en' });
    const page = await newPage();
    await signInAs(page, app.url, manager);
    await page.goto(`${app.url}/settings/sla`);
    const form = page.locator('form[data-form="calendar-new"]');
    await form.locator('input[name="name"]').fill('Broken hours');
    await form.getByLabel('Mon, start of interval 1').fill('09:00');
    await form.getByLabel('Mon, end of interval 1').fill('12:00');
    await form.locator('fieldset[data-day="mon"] [data-add-row]').click();
    await form.getByLabel('Mon, start of interval 2').fill('11:00');
    await form.getByLabel('Mon, end of interval 2').fill('13:00');
    await Promise.all([page.waitForLoadState('load'), form.locator('button[type="submit"]').click()]);
    await expect(page.locator('form[data-form="calendar-new"] .alert').textContent()).resolves.toContain('Mon: the hours 09:00-12:00 and 11:00-13:00 overlap.');
    await expect(page.locator('form[data-form="calendar-new"] input[name="name"]').inputValue()).resolves.toBe('Broken hours');
    const saved = await app.services.db.selectFrom('calendars').select('id').where('name', '=', 'Broken hours').execute();
    expect(saved).toHaveLength(0);
  });
});
