/**
 * The reply box as an agent uses it all day, in German: canned responses that follow what is typed and put the
 * focus back in the box, a draft that survives navigation and a reload, emoji, a busy send button, links in the
 * thread, the channel's character limit, and a session that ends while typing — signed in again in place, the
 * text still there.
 */
import type { Page } from 'playwright-core';
import request from 'supertest';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { eventStreamOpen, replyFormSettled, startBrowser, type BrowserSession, signInAs } from '../support/browser';
import { startTestApp, type TestApp } from '../support/testApp';
import { until } from '../support/until';

jest.setTimeout(120_000);

let app: TestApp;
let browser: BrowserSession;
let channel: Awaited<ReturnType<typeof makeApiChannel>>;
let agent: Awaited<ReturnType<typeof makeUser>>;
let page: Page;

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), startBrowser()]);
  const db = app.services.db;
  channel = await makeApiChannel(db, app.services.secretBox, { name: 'Webshop-API' });
  agent = await makeUser(db, { role: 'agent', locale: 'de', name: 'Lena Vogt' });
  const manager = await makeUser(db, { role: 'manager' });
  const canned = [
    ['danke', 'Danke', 'Danke für Ihre Nachricht!'],
    ['dankeschoen', 'Dankeschön', 'Vielen herzlichen Dank, {{contact.name}}.'],
    ['versand', 'Versand', 'Ihr Paket ist unterwegs.'],
  ];
  for (const [shortcut, title, body] of canned) {
    await request(app.url).post('/api/v1/canned-responses').auth(manager.token, { type: 'bearer' }).send({ title, shortcut, body, language: 'de' }).expect(201);
  }
  page = await browser.newPage({ locale: 'de-DE', viewport: { width: 1280, height: 900 } });
  await signInAs(page, app.url, agent);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function ingest(text = 'Wo ist mein Paket?') {
  const res = await request(app.url)
    .post(`/api/v1/channels/${channel.channelId}/messages`)
    .auth(channel.ingestToken, { type: 'bearer' })
    .send(inboundPost({ text, author: { externalId: `c-${Date.now()}`, name: 'Erika Mustermann' } }));
  expect(res.status).toBe(201);
  return res.body.conversationId as string;
}

async function open(id: string) {
  await page.goto(`${app.url}/conversations/${id}`);
  await eventStreamOpen(page);
}

const box = () => page.locator('#reply-text');
const suggestions = () => page.locator('#canned-results .canned-pick code');

it('when the agent types a shortcut, then the suggestions follow each keystroke, and picking one inserts it with the focus back in the box', async () => {
  await open(await ingest());
  await box().pressSequentially('Hallo /da', { delay: 30 });
  await until('[/danke, /dankeschoen]', async () => JSON.stringify(await suggestions().allInnerTexts()) === JSON.stringify(['/danke', '/dankeschoen']));
  await box().pressSequentially('nkes', { delay: 30 });
  await until('[/dankeschoen]', async () => JSON.stringify(await suggestions().allInnerTexts()) === JSON.stringify(['/dankeschoen']));
  await box().press('Backspace');
  await box().press('Backspace');
  await box().press('Backspace');
  await box().press('Backspace');
  await box().press('Backspace');
  await box().press('Backspace');
  await box().pressSequentially('ver', { delay: 30 });
  await until('[/versand]', async () => JSON.stringify(await suggestions().allInnerTexts()) === JSON.stringify(['/versand']));
  await page.locator('.canned-pick', { hasText: '/versand' }).click();
  await until('Hallo\nIhr Paket ist unterwegs.', async () => JSON.stringify(await box().inputValue()) === JSON.stringify('Hallo\nIhr Paket ist unterwegs.'));
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('reply-text');
  await page.keyboard.type(' Gruß');
  expect(await box().inputValue()).toBe('Hallo\nIhr Paket ist unterwegs. Gruß');
});

it('when the agent leaves a half-written reply and comes back (navigation, reload), then the draft is there; once sent, it is gone', async () => {
  const id = await ingest();
  await open(id);
  await box().fill('Ich schaue sofort nach');
  await page.goto(`${app.url}/inbox`);
  await open(id);
  expect(await box().inputValue()).toBe('Ich schaue sofort nach');
  await until('true', async () => JSON.stringify(await page.locator('#draft-note').isVisible()) === JSON.stringify(true));
  await page.reload();
  await eventStreamOpen(page);
  expect(await box().inputValue()).toBe('Ich schaue sofort nach');

  await page.locator('#reply-send').click();
  await page.locator('.msg-outbound', { hasText: 'Ich schaue sofort nach' }).waitFor();
  await replyFormSettled(page);
  expect(await box().inputValue()).toBe('');
  await page.reload();
  expect(await box().inputValue()).toBe('');
});

it('when the agent picks an emoji, then it lands at the caret', async () => {
  await open(await ingest());
  await box().fill('Danke !');
  await box().evaluate((el: HTMLTextAreaElement) => el.setSelectionRange(6, 6));
  await page.locator('.emoji-picker summary').click();
  await page.locator('button[data-emoji="🙏"]').click();
  expect(await box().inputValue()).toBe('Danke 🙏!');
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('reply-text');
});

it('when a message holds a web address, then it is a link that opens in a new tab without access to the console; markup stays text', async () => {
  await open(await ingest('Bestellung: https://shop.example/bestellung/4711 <b>fett</b> javascript:alert(1)'));
  const link = page.locator('.msg-text a');
  expect(await link.count()).toBe(1);
  expect(await link.getAttribute('href')).toBe('https://shop.example/bestellung/4711');
  expect(await link.getAttribute('rel')).toBe('noopener noreferrer nofollow');
  expect(await page.locator('.msg-text b').count()).toBe(0);
  expect(await page.locator('.msg-text').first().innerText()).toContain('<b>fett</b>');
});

it('when the reply is being sent, then the send button is disabled and says so', async () => {
  await open(await ingest());
  await page.route('**/replies', async (route) => {
    await new Promise((r) => setTimeout(r, 800));
    await route.continue();
  });
  await box().fill('Einen Moment bitte');
  await page.locator('#reply-send').click();
  await until('Wird gesendet …', async () => JSON.stringify(await page.locator('#reply-send').innerText()) === JSON.stringify('Wird gesendet …'));
  expect(await page.locator('#reply-send').isDisabled()).toBe(true);
  await page.locator('.msg-outbound', { hasText: 'Einen Moment bitte' }).waitFor();
  await page.unroute('**/replies');
  await replyFormSettled(page);
  expect(await page.locator('#reply-send').innerText()).toBe('Antwort senden');
});

it('when the session ends while the agent types, then sending asks to sign in again in place, the text stays, and the next send goes out', async () => {
  await open(await ingest());
  await box().fill('Das ist ein langer Text, der nicht verloren gehen darf.');
  await app.services.db.deleteFrom('userSessions' as never).execute(); // every session ends (e.g. expired)
  // Any request of the page may be the first to learn it (the typing signal too): the dialog may already be up.
  await page.evaluate(() => (document.querySelector('#reply-send') as HTMLButtonElement).click());
  const dialog = page.locator('#signin-again');
  await dialog.waitFor({ state: 'visible' });
  expect(page.url()).toContain('/conversations/');
  expect(await box().inputValue()).toBe('Das ist ein langer Text, der nicht verloren gehen darf.');
  await dialog.locator('input[name="password"]').fill(agent.password);
  await dialog.locator('button[type="submit"]').click();
  await dialog.waitFor({ state: 'hidden' });
  await page.locator('#reply-send').click();
  await page.locator('.msg-outbound', { hasText: 'nicht verloren gehen darf' }).waitFor();
});
