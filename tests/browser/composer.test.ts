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
afterEach(async () => {
  await page?.unroute(REPLIES); // one test's held replies never hold the next
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

/** Replies are held before they reach the server until the test lets them go, so it can work while one is on its way. */
const REPLIES = '**/replies';
async function holdReplies(): Promise<() => void> {
  let letGo: () => void = () => undefined;
  const released = new Promise<void>((resolve) => {
    letGo = resolve;
  });
  await page.route(REPLIES, async (route) => {
    await released;
    // a request the page gave up meanwhile (it navigated after a failed test) is gone: nothing to let through
    await route.continue().catch(() => undefined);
  });
  return letGo;
}
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
  const letGo = await holdReplies();
  await box().fill('Einen Moment bitte');
  await page.locator('#reply-send').click();
  await until('Wird gesendet …', async () => JSON.stringify(await page.locator('#reply-send').innerText()) === JSON.stringify('Wird gesendet …'));
  expect(await page.locator('#reply-send').isDisabled()).toBe(true);
  letGo();
  await page.locator('.msg-outbound', { hasText: 'Einen Moment bitte' }).waitFor();
  await replyFormSettled(page);
  expect(await page.locator('#reply-send').innerText()).toBe('Antwort senden');
});

it("when the agent goes on working while her reply is on its way, then the reply's answer keeps the close reason, the step and the note she typed, and the caret in the note", async () => {
  await open(await ingest());
  const letGo = await holdReplies();
  await box().fill('Ich kümmere mich darum.');
  await page.locator('#reply-send').click();
  await page.locator('#action-bar input[name="reason"]').fill('Telefonisch geklärt');
  await page.locator('details.task-add summary').click();
  await page.locator('#task-title').fill('Rückruf um 15 Uhr');
  await page.locator('#note-text').click();
  await page.keyboard.type('Kunde ruft morgen an');
  expect(await page.locator('form[data-reply-form]').getAttribute('aria-busy')).toBe('true'); // all typed while it was on its way
  letGo();
  await page.locator('.msg-outbound', { hasText: 'Ich kümmere mich darum.' }).waitFor();
  await replyFormSettled(page);
  await page.waitForFunction(() => !document.querySelector('.htmx-settling, .htmx-swapping')); // the focus is decided on settling
  expect(await box().inputValue()).toBe('');
  expect(await page.locator('#action-bar input[name="reason"]').inputValue()).toBe('Telefonisch geklärt');
  expect(await page.locator('#task-title').inputValue()).toBe('Rückruf um 15 Uhr');
  expect(await page.locator('#task-title').isVisible()).toBe(true);
  expect(await page.evaluate(() => document.activeElement?.id)).toBe('note-text');
  await page.keyboard.type(', bitte zurückrufen');
  expect(await page.locator('#note-text').inputValue()).toBe('Kunde ruft morgen an, bitte zurückrufen');
});

it('when the agent saves a note while her reply is on its way, then the redrawn box does not offer the reply again, and both are stored once', async () => {
  const id = await ingest();
  await open(id);
  const letGo = await holdReplies();
  await box().fill('Wir prüfen das.');
  await page.locator('#reply-send').click();
  await page.locator('#note-text').fill('Lager angefragt');
  await page.locator('#add-note').click();
  // the note's answer redraws the conversation (its box empty) while the reply is still on its way
  await until('the note saved and the conversation redrawn', async () => (await page.locator('#note-text').inputValue()) === '');
  await page.waitForFunction(() => !document.querySelector('.htmx-settling, .htmx-swapping'));
  expect(await box().inputValue()).toBe(''); // not the reply's text again, one click from going out twice
  expect(await page.locator('#reply-send').innerText()).toBe('Wird gesendet …');
  expect(await page.locator('#reply-send').isDisabled()).toBe(true);
  letGo();
  await page.locator('.msg-outbound', { hasText: 'Wir prüfen das.' }).waitFor();
  await until('the send button idle', async () => (await page.locator('#reply-send').innerText()) === 'Antwort senden');
  expect(await box().inputValue()).toBe('');
  expect(await page.locator('#reply-send').isDisabled()).toBe(true); // an empty box cannot be sent
  await page.locator('.msg-note', { hasText: 'Lager angefragt' }).waitFor();
  await page.reload();
  expect(await box().inputValue()).toBe('');
  const rows = await app.services.db
    .selectFrom('messages')
    .select(['direction'])
    .where('conversationId', '=', id)
    .where('direction', 'in', ['outbound', 'note'])
    .execute();
  expect(rows.map((r) => r.direction).sort()).toEqual(['note', 'outbound']);
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
