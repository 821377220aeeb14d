/**
 * Routing as people see it, in headless Chromium: a manager sets two agents' skills and slots and the channel to
 * automatic; posts arrive and go to the right agent live; an agent who is away gets nothing new; "Nächsten
 * nehmen" gives the other the most urgent post they may take; the queue board shows the numbers.
 */
import type { Page } from 'playwright-core';
import request from 'supertest';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { eventStreamOpen, screenshot, signInAs, startBrowser, type BrowserSession } from '../support/browser';
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
  channel = await makeApiChannel(db, app.services.secretBox, { name: 'Webshop API' });
  lena = await makeUser(db, { role: 'agent', name: 'Lena Vogt', locale: 'de' });
  paul = await makeUser(db, { role: 'agent', name: 'Paul Weber', locale: 'de' });
  manager = await makeUser(db, { role: 'manager', name: 'Jonas Berger', locale: 'de' });
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function signedIn(user: Made, width = 1440): Promise<Page> {
  const page = await browser.newPage({ locale: 'de-DE', viewport: { width, height: 900 } });
  await signInAs(page, app.url, user);
  return page;
}
async function ingest(language: string, text: string) {
  const res = await request(app.url)
    .post(`/api/v1/channels/${channel.channelId}/messages`)
    .auth(channel.ingestToken, { type: 'bearer' })
    .send({ ...inboundPost({ text }), language });
  expect(res.status).toBe(201);
  return res.body as { conversationId: string; caseNumber: string };
}
const assigneeOf = async (id: string) =>
  (await app.services.db.selectFrom('conversations').select('assigneeId').where('id', '=', id).executeTakeFirstOrThrow()).assigneeId;

async function setAgent(page: Page, agent: Made, languages: string, social: string) {
  const form = page.locator(`#agent-${agent.id} form`);
  await form.locator('input[name="languages"]').fill(languages);
  await form.locator('input[name="social"]').fill(social);
  await Promise.all([page.waitForURL(/\/settings\/routing/), form.locator('button[type="submit"]').click()]);
}
async function setMode(page: Page, mode: 'auto' | 'pull') {
  const form = page.locator(`#channel-${channel.channelId} form`);
  await form.locator('select[name="mode"]').selectOption(mode);
  await Promise.all([page.waitForURL(/\/settings\/routing/), form.locator('button[type="submit"]').click()]);
}
async function choosePresence(page: Page, value: string) {
  const answered = page.waitForResponse((r) => r.url().endsWith('/availability') && r.request().method() === 'POST');
  await page.locator('#availability-choice').selectOption(value);
  expect((await answered).status()).toBe(200);
}

test('a manager sets skills and slots, posts go to the right agent live, away gets nothing, "Nächsten nehmen" takes the most urgent, the board counts', async () => {
  const boss = await signedIn(manager);
  await boss.goto(`${app.url}/settings/routing`);
  await setAgent(boss, lena, 'de', '2');
  await setAgent(boss, paul, 'en', '2');
  await setMode(boss, 'auto');
  expect(await boss.locator(`#agent-${lena.id} input[name="languages"]`).inputValue()).toBe('de');
  await screenshot(boss, 'routing-settings-1440');

  // both agents come online from the header, in one choice
  const lenaPage = await signedIn(lena);
  const paulPage = await signedIn(paul);
  await Promise.all([eventStreamOpen(lenaPage), eventStreamOpen(paulPage)]);
  await choosePresence(lenaPage, 'online');
  await choosePresence(paulPage, 'online');

  // arrivals go to the agent with the language, live in their inbox
  const german = await ingest('de', 'Wo bleibt meine Lieferung?');
  const english = await ingest('en', 'Where is my parcel?');
  await until('the German post with Lena', async () => (await assigneeOf(german.conversationId)) === lena.id);
  await until('the English post with Paul', async () => (await assigneeOf(english.conversationId)) === paul.id);
  await lenaPage.locator('#inbox-list').getByText(`#${german.caseNumber}`).waitFor();
  await lenaPage.goto(`${app.url}/conversations/${german.conversationId}`);
  await expect(lenaPage.locator('#routing-reason').innerText()).resolves.toBe('Routing: Deutsch, geringste Auslastung (0/2)');

  // Lena goes on a break: a new German post waits for her instead of going to her
  await lenaPage.goto(`${app.url}/inbox`);
  await choosePresence(lenaPage, 'away:break');
  const waiting = await ingest('de', 'Noch eine Frage zur Rechnung');
  await new Promise((r) => setTimeout(r, 1500));
  expect(await assigneeOf(waiting.conversationId)).toBeNull();

  // pull mode: Paul takes the next one and gets the urgent English post, not the German one nor the older normal one
  await setMode(boss, 'pull');
  const normal = await ingest('en', 'Question about my invoice');
  const urgent = await ingest('en', 'My account was hacked!');
  const prio = await request(app.url)
    .post(`/api/v1/conversations/${urgent.conversationId}/priority`)
    .auth(manager.token, { type: 'bearer' })
    .send({ priority: 'urgent' });
  expect(prio.status).toBe(200);
  await paulPage.goto(`${app.url}/inbox`);
  await Promise.all([paulPage.waitForURL(new RegExp(`/conversations/${urgent.conversationId}`)), paulPage.locator('#take-next-button').click()]);
  await expect(paulPage.locator('#routing-reason').innerText()).resolves.toContain('„Nächsten nehmen“ (1/2)');
  expect(await assigneeOf(normal.conversationId)).toBeNull();

  // the queue board: 2 waiting (the German one, the normal English one), Lena away, Paul online with 2 of 2 slots used
  await boss.goto(`${app.url}/queues`);
  const row = boss.locator(`tr[data-channel-id="${channel.channelId}"]`);
  await expect(row.locator('[data-figure="waiting"]').innerText()).resolves.toBe('2');
  await expect(row.locator('[data-figure="agents"]').innerText()).resolves.toBe('1 online · 1 abwesend · 1 offline');
  await expect(row.locator('[data-figure="capacity"]').innerText()).resolves.toBe('2 / 0');
  await screenshot(boss, 'routing-queues-1440');
  // live: a new arrival raises the waiting count without a reload
  await eventStreamOpen(boss);
  await ingest('en', 'One more question');
  await until('the board counts the arrival', async () => (await row.locator('[data-figure="waiting"]').innerText()) === '3', 15_000);

  // the same pages at phone width
  const phone = await signedIn(manager, 390);
  await phone.goto(`${app.url}/queues`);
  await screenshot(phone, 'routing-queues-390');
  const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});
