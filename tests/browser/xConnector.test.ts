/**
 * Done-when of the X connector, as people do it in headless Chromium: a manager connects an X account
 * (pointing at the fake X API) on the channels page and adds a tracked search; mentions flow into the
 * inbox, the search's post with its topic; an agent replies, and the reply lands in the fake API's
 * posted tweets as a reply to the right post.
 */
import type { Page } from 'playwright-core';
import { makeUser } from '../factories/factories';
import { startFakeXServer, type FakeXServer } from '../fakes/fakeXServer';
import { startBrowser, type BrowserSession, screenshot, signInAs } from '../support/browser';
import { startTestApp, type TestApp } from '../support/testApp';

jest.setTimeout(90_000);

let app: TestApp;
let fake: FakeXServer;
let browser: BrowserSession;

beforeAll(async () => {
  [app, fake, browser] = await Promise.all([startTestApp({ workers: true }), startFakeXServer(), startBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await fake?.close();
  await app?.stop();
});

async function newPage(): Promise<Page> {
  return browser.newPage({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
}

/** Reloads the inbox until a row with this text shows up (the worker polls in the background). */
async function waitForInboxRow(page: Page, text: string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    await page.goto(`${app.url}/inbox?status=all`);
    const row = page.locator('li.row', { hasText: text });
    if (await row.count()) return row.first();
    if (Date.now() > deadline) throw new Error(`no inbox row with "${text}"; the page says: ${(await page.locator('body').innerText()).slice(0, 400)}`);
    await page.waitForTimeout(500);
  }
}

it("when a manager connects an X account and adds a tracked search, then mentions and found posts flow into the inbox with their topic, and an agent's reply lands on X as a reply to the right post", async () => {
  const manager = await makeUser(app.services.db, { role: 'manager', name: 'Maria Manager' });
  const agent = await makeUser(app.services.db, { role: 'agent', name: 'Anton Agent' });
  const accountId = '4242424242';
  const mention = fake.mention(accountId, {
    text: '@brand_care My parcel never arrived 📦',
    author: { id: '9001', name: 'Nora Customer', username: 'nora_c' },
  });
  const found = fake.publicPost({ text: 'Anyone else stuck with #lieferchaos this week?', author: { id: '9002', name: 'Karl Searcher', username: 'karl_s' } });

  const page = await newPage();
  await signInAs(page, app.url, manager);
  await page.click('nav.mainnav details.navmenu summary');
  await page.click('nav.mainnav a[href="/settings/channels"]');
  const form = page.locator('form[action="/settings/channels/x"]');
  await form.locator('input[name="name"]').fill('Brand Care on X');
  await form.locator('input[name="userId"]').fill(accountId);
  await form.locator('input[name="handle"]').fill('@brand_care');
  await form.locator('input[name="apiBaseUrl"]').fill(fake.baseUrl);
  await form.locator('input[name="bearerToken"]').fill(fake.bearerToken);
  await form.locator('input[name="appKey"]').fill('consumer-key');
  await form.locator('input[name="appSecret"]').fill('consumer-secret');
  await form.locator('input[name="accessToken"]').fill(fake.accessToken);
  await form.locator('input[name="accessSecret"]').fill('access-secret-4711');
  await form.locator('button[type="submit"]').click();
  await page.waitForURL(/created=/);
  const card = page.locator('section.channel-card', { hasText: 'Brand Care on X' });
  await expect(card.locator('[data-field="credentials"]').innerText()).resolves.toContain('••••4711');
  expect(await page.content()).not.toContain('access-secret-4711');

  await card.locator('input[name="query"]').fill('#lieferchaos');
  await card.locator('form[action$="/searches"] button').click();
  await page.waitForURL(/\/settings\/channels/);
  await expect(page.locator('section.channel-card', { hasText: 'Brand Care on X' }).locator('.search-list').innerText()).resolves.toContain('#lieferchaos');
  await page.locator('section.channel-card', { hasText: 'Brand Care on X' }).locator('button[data-action="poll-now"]').click();
  await page.waitForURL(/polled=/);

  const foundRow = await waitForInboxRow(page, 'Karl Searcher');
  await expect(foundRow.locator('[data-topic]').innerText()).resolves.toBe('#lieferchaos');
  const mentionRow = await waitForInboxRow(page, 'Nora Customer');
  expect(await mentionRow.locator('[data-topic]').count()).toBe(0);
  await screenshot(page, 'x-connector-inbox');
  await page.goto(`${app.url}/settings/channels`);
  const health = page.locator('section.channel-card', { hasText: 'Brand Care on X' }).locator('.channel-health');
  await expect(health.getAttribute('data-status')).resolves.toBe('ok');
  await expect(health.locator('[data-field="items-fetched"]').innerText()).resolves.toBe('2');
  await screenshot(page, 'x-connector-channels');

  const agentPage = await newPage();
  await signInAs(agentPage, app.url, agent);
  await (await waitForInboxRow(agentPage, 'Nora Customer')).locator('a.row-link').click();
  await agentPage.fill('#reply-text', '@nora_c Sorry about that! We are on it 🙂');
  await agentPage.click('form.reply button[type="submit"]');
  await agentPage.waitForSelector('.msg-outbound [data-delivery="sent"]', { timeout: 20_000 });
  await screenshot(agentPage, 'x-connector-reply');

  const posted = fake.posted.find((p) => p.text === '@nora_c Sorry about that! We are on it 🙂');
  expect(posted).toBeDefined();
  expect(posted!.inReplyToTweetId).toBe(mention.id);
  expect(posted!.inReplyToTweetId).not.toBe(found.id);
});

it('when a manager connects an X account with a refused token, then the channels page says plainly that the credentials were refused', async () => {
  const manager = await makeUser(app.services.db, { role: 'manager' });
  const page = await newPage();
  await signInAs(page, app.url, manager);
  await page.goto(`${app.url}/settings/channels`);
  const form = page.locator('form[action="/settings/channels/x"]');
  await form.locator('input[name="name"]').fill('Revoked X');
  await form.locator('input[name="userId"]').fill('5151515151');
  await form.locator('input[name="apiBaseUrl"]').fill(fake.baseUrl);
  await form.locator('input[name="bearerToken"]').fill('revoked-token');
  await form.locator('button[type="submit"]').click();
  await page.waitForURL(/created=/);
  const deadline = Date.now() + 20_000;
  for (;;) {
    await page.goto(`${app.url}/settings/channels`);
    const health = page.locator('section.channel-card', { hasText: 'Revoked X' }).locator('.channel-health');
    if ((await health.getAttribute('data-status')) === 'credentials_refused') {
      await expect(health.locator('.channel-status').innerText()).resolves.toContain('Credentials refused');
      await expect(health.locator('[data-field="last-error"]').innerText()).resolves.toContain('401');
      break;
    }
    if (Date.now() > deadline) throw new Error(`status stayed ${await health.getAttribute('data-status')}`);
    await page.waitForTimeout(500);
  }
  await expect(page.locator('section.channel-card', { hasText: 'Revoked X' }).locator('details.credentials').getAttribute('open')).resolves.not.toBeNull();
  await screenshot(page, 'x-connector-credentials-refused');
});
