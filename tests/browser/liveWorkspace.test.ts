/**
 * Live everywhere, in German: the conversation's header and action bar follow a colleague's change like the
 * thread does; "X is viewing" next to "X is replying"; an SLA warning reaches the assigned agent on any page
 * (toast); the tab title counts the unread notifications.
 */
import type { Page } from 'playwright-core';
import request from 'supertest';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { eventStreamOpen, startBrowser, type BrowserSession, signInAs } from '../support/browser';
import { startTestApp, type TestApp } from '../support/testApp';
import { until } from '../support/until';

jest.setTimeout(120_000);

let app: TestApp;
let browser: BrowserSession;
let channel: Awaited<ReturnType<typeof makeApiChannel>>;
type Made = Awaited<ReturnType<typeof makeUser>>;
let lena: Made;
let paul: Made;
let manager: Made;

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp({ workers: true }), startBrowser()]);
  const db = app.services.db;
  lena = await makeUser(db, { role: 'agent', locale: 'de', name: 'Lena Vogt' });
  paul = await makeUser(db, { role: 'agent', locale: 'de', name: 'Paul Weber' });
  manager = await makeUser(db, { role: 'manager', locale: 'de', name: 'Jonas Berger' });
  channel = await makeApiChannel(db, app.services.secretBox, { name: 'Webshop-API' });
  const policy = await request(app.url)
    .post('/api/v1/sla-policies')
    .auth(manager.token, { type: 'bearer' })
    .send({ name: 'Eine Stunde', calendarId: null, firstResponseMinutes: 60, nextResponseMinutes: 60, warnAtPercent: 50 })
    .expect(201);
  await request(app.url)
    .patch(`/api/v1/channels/${channel.channelId}`)
    .auth(manager.token, { type: 'bearer' })
    .send({ slaPolicyId: policy.body.id })
    .expect(200);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function pageOf(user: Made, path: string): Promise<Page> {
  const page = await browser.newPage({ locale: 'de-DE', viewport: { width: 1280, height: 900 } });
  await signInAs(page, app.url, user);
  await page.goto(app.url + path);
  await eventStreamOpen(page);
  return page;
}

async function ingest(postedAt = new Date().toISOString()) {
  const res = await request(app.url)
    .post(`/api/v1/channels/${channel.channelId}/messages`)
    .auth(channel.ingestToken, { type: 'bearer' })
    .send(inboundPost({ text: 'Wo bleibt mein Paket?', postedAt }));
  expect(res.status).toBe(201);
  return res.body as { conversationId: string; caseNumber: string };
}

it('when a colleague opens the same conversation and takes it, then the other agent sees them viewing, and the header and action bar follow without a reload', async () => {
  const { conversationId } = await ingest();
  const lenaPage = await pageOf(lena, `/conversations/${conversationId}`);
  const paulPage = await pageOf(paul, `/conversations/${conversationId}`);
  await lenaPage.locator('#presence', { hasText: 'Paul Weber sieht sich diese Konversation gerade an' }).waitFor();

  await paulPage.locator('#assign-me').click();
  await paulPage.locator('#conv-live', { hasText: 'Paul Weber' }).waitFor();
  await lenaPage.locator('#conv-live .facts', { hasText: 'Paul Weber' }).waitFor();
  await lenaPage.locator('#conv-status', { hasText: 'Zugewiesen' }).waitFor();
  // The action bar carries the new version: Lena's next action is not refused as "changed meanwhile".
  await lenaPage.locator('select[name="priority"]').selectOption('high');
  await lenaPage.locator('#conv-priority', { hasText: 'Hoch' }).waitFor();
  expect(await lenaPage.locator('#action-error').innerText()).toBe('');
});

it('when an SLA warning fires for a conversation assigned to an agent, then a toast reaches that agent on any page, not only the inbox', async () => {
  const agentPage = await pageOf(lena, '/settings/sla');
  // Posted 29 min 57 s ago on a 60-minute policy warning at 50 %: the warning is 3 seconds away.
  const { conversationId, caseNumber } = await ingest(new Date(Date.now() - 29 * 60_000 - 57_000).toISOString());
  await request(app.url).post(`/api/v1/conversations/${conversationId}/assign`).auth(lena.token, { type: 'bearer' }).send({ assigneeId: lena.id }).expect(200);
  const toast = agentPage.locator('#sla-toasts .toast-warning');
  await toast.waitFor({ state: 'visible', timeout: 20_000 });
  expect(await toast.innerText()).toContain(`SLA-Warnung: Fall #${caseNumber}`);
});

it('when a colleague mentions the agent, then the tab title shows the unread count', async () => {
  const { conversationId } = await ingest();
  const lenaPage = await pageOf(lena, '/inbox');
  const baseTitle = await lenaPage.title();
  const paulPage = await pageOf(paul, `/conversations/${conversationId}`);
  await paulPage.locator('#note-text').fill('@Lena bitte prüfen');
  await paulPage.locator('form.note-form button[type="submit"]').click();
  await until('the unread count in the tab title', async () => (await lenaPage.title()) === `(1) ${baseTitle}`);
});

it('when the agent has ticked rows for a bulk action and a new post comes in, then the list refreshes with her rows still ticked', async () => {
  const ticked = [(await ingest()).conversationId, (await ingest()).conversationId];
  const page = await pageOf(lena, '/inbox');
  for (const id of ticked) await page.check(`[data-conversation-id="${id}"] input.row-check`);
  const fresh = (await ingest()).conversationId;
  await page.locator(`[data-conversation-id="${fresh}"]`).waitFor();
  for (const id of ticked) expect(await page.isChecked(`[data-conversation-id="${id}"] input.row-check`)).toBe(true);
  expect(await page.isChecked(`[data-conversation-id="${fresh}"] input.row-check`)).toBe(false);
  await page.close();
});

it('when a post comes in while the list is being refreshed for the one before, then it still shows up without a further event', async () => {
  const page = await pageOf(lena, '/inbox');
  // the first refresh is answered by the server at once but reaches the page only once the next post is in
  let letGo: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    letGo = resolve;
  });
  let held = false;
  let fetched: () => void = () => undefined;
  const answered = new Promise<void>((resolve) => {
    fetched = resolve;
  });
  await page.route(
    (url) => url.pathname === '/inbox',
    async (route) => {
      if (held) return route.continue();
      held = true;
      const response = await route.fetch();
      fetched();
      await released;
      await route.fulfill({ response });
    },
  );
  await page.evaluate(() => {
    const seen = window as unknown as { listEvents: number };
    seen.listEvents = 0;
    document.getElementById('inbox-list')?.addEventListener('htmx:sseMessage', () => seen.listEvents++);
  });
  const first = (await ingest()).conversationId;
  await answered;
  const second = (await ingest()).conversationId;
  // its live event reaches the page while the first refresh is still on its way
  await page.waitForFunction(() => (window as unknown as { listEvents: number }).listEvents >= 2);
  letGo();
  await page.locator(`[data-conversation-id="${first}"]`).waitFor();
  await page.locator(`[data-conversation-id="${second}"]`).waitFor({ timeout: 10_000 });
  await page.close();
});

describe('a long inbox, from the keyboard', () => {
  it('when the agent presses Enter on "Weitere laden", then the next rows are added and the first of them has the focus', async () => {
    await Promise.all(Array.from({ length: 30 }, () => ingest()));
    const page = await pageOf(lena, '/inbox?view=all');
    const rows = page.locator('#inbox-list a.row-link');
    expect(await rows.count()).toBe(25);
    await page.getByRole('button', { name: 'Weitere laden' }).focus();
    await page.keyboard.press('Enter');
    await until('the next rows', async () => (await rows.count()) > 25);
    // The rows arrive with the swap, the focus when htmx has settled them (a moment later).
    const focused = await until('a focused row link', () =>
      page.evaluate(() => (document.activeElement?.className === 'row-link' ? document.activeElement.getAttribute('href') : null)),
    );
    expect(focused).toBe(await rows.nth(25).getAttribute('href'));
    await page.close();
  });
});
