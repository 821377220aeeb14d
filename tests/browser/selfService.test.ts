/**
 * The customer's self-service pages in German on a 390 px phone: a manager writes and publishes an article in
 * the console (with the preview), a visitor finds it on the chat site's help page, reads it and says it helped;
 * a customer looks up their case by number and e-mail address. axe-core finds nothing serious, nothing is
 * wider than the screen.
 */
import type { Page } from 'playwright-core';
import request from 'supertest';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { axeFindings } from '../support/axe';
import { screenshot, signInAs, startBrowser, type BrowserSession } from '../support/browser';
import { startTestApp, type TestApp } from '../support/testApp';

jest.setTimeout(120_000);

let app: TestApp;
let browser: BrowserSession;

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), startBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

const PHONE = { width: 390, height: 844 };
const widerThanScreen = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);

it('when a manager publishes an article and a visitor finds it on the help page at 390 px, then it reads well and "Ja" is counted', async () => {
  const db = app.services.db;
  const manager = await makeUser(db, { role: 'manager', locale: 'de' });
  const channel = await db.insertInto('channels').values({ kind: 'webchat', name: 'Webshop-Chat' }).returning('id').executeTakeFirstOrThrow();
  const site = await db
    .insertInto('chatSites')
    .values({ channelId: channel.id, name: 'Webshop', texts: JSON.stringify({ de: { title: 'Hilfe' } }) })
    .returning('id')
    .executeTakeFirstOrThrow();

  const console = await browser.newPage({ locale: 'de-DE', viewport: PHONE, bypassCSP: true });
  await signInAs(console, app.url, manager);
  await console.goto(`${app.url}/settings/knowledge/new`);
  await console.fill('input[name="title"]', 'Rücksendung Ihrer Bestellung');
  await console.fill('input[name="topic"]', 'Versand');
  await console.selectOption('select[name="state"]', 'published');
  await console.locator('#article-body').pressSequentially('Die **Rücksendung** ist kostenlos.');
  await console.locator('#article-preview strong', { hasText: 'Rücksendung' }).waitFor();
  expect(await axeFindings(console)).toEqual([]);
  expect(await widerThanScreen(console)).toBe(false);
  await screenshot(console, 'knowledge-editor-de-390');
  await Promise.all([console.waitForURL(/saved=1/), console.click('#article-save')]);
  await console.locator('.knowledge-saved').waitFor();

  const visitor = await browser.newPage({ locale: 'de-DE', viewport: PHONE, bypassCSP: true });
  await visitor.goto(`${app.url}/help/${site.id}`);
  expect(await visitor.locator('h1').textContent()).toBe('Hilfe – Webshop');
  await visitor.fill('#help-q', 'Rücksendungen');
  await Promise.all([visitor.waitForURL(/\?q=/), visitor.keyboard.press('Enter')]);
  await visitor.locator('.article-hits mark', { hasText: 'Rücksendung' }).waitFor();
  expect(await axeFindings(visitor)).toEqual([]);
  expect(await widerThanScreen(visitor)).toBe(false);
  await visitor.click('.article-hits a');
  await visitor.locator('.article-body strong', { hasText: 'Rücksendung' }).waitFor();
  expect(await axeFindings(visitor)).toEqual([]);
  expect(await widerThanScreen(visitor)).toBe(false);
  await visitor.click('#helped-yes');
  await visitor.locator('#feedback', { hasText: 'Danke für Ihre Rückmeldung!' }).waitFor();
  await screenshot(visitor, 'help-article-de-390');

  const counted = await db
    .selectFrom('knowledgeArticles')
    .select(['views', 'helpful'])
    .where('title', '=', 'Rücksendung Ihrer Bestellung')
    .executeTakeFirstOrThrow();
  expect(counted).toEqual({ views: 1, helpful: 1 });
  await console.goto(`${app.url}/settings/knowledge`);
  expect(await axeFindings(console)).toEqual([]);
  expect(await widerThanScreen(console)).toBe(false);
});

it('when a customer looks up their case at 390 px, then the status and the messages are shown in German', async () => {
  const db = app.services.db;
  const channel = await makeApiChannel(db, app.services.secretBox, { name: 'Webshop-API' });
  const res = await request(app.url)
    .post(`/api/v1/channels/${channel.channelId}/messages`)
    .auth(channel.ingestToken, { type: 'bearer' })
    .send(inboundPost({ text: 'Wo bleibt meine Bestellung #4711? https://shop.example/bestellung/4711-mit-einer-sehr-langen-adresse-ohne-umbruch' }))
    .expect(201);
  const conversation = await db.selectFrom('conversations').select('contactId').where('id', '=', res.body.conversationId).executeTakeFirstOrThrow();
  await db.updateTable('contacts').set({ email: 'erika@kundin.example' }).where('id', '=', conversation.contactId).execute();

  const page = await browser.newPage({ locale: 'de-DE', viewport: PHONE, bypassCSP: true });
  await page.goto(`${app.url}/case`);
  expect(await axeFindings(page)).toEqual([]);
  await page.fill('#case-number', res.body.caseNumber);
  await page.fill('#case-email', 'erika@example.invalid');
  await page.click('#case-submit');
  await page.locator('#case-problem', { hasText: 'keine Anfrage gefunden' }).waitFor();
  expect(await axeFindings(page)).toEqual([]);
  await page.fill('#case-number', res.body.caseNumber);
  await page.fill('#case-email', 'erika@kundin.example');
  await page.click('#case-submit');
  await page.locator('#case-state', { hasText: 'Eingegangen' }).waitFor();
  await page.locator('.case-messages', { hasText: 'Wo bleibt meine Bestellung #4711?' }).waitFor();
  expect(await axeFindings(page)).toEqual([]);
  expect(await widerThanScreen(page)).toBe(false);
  await screenshot(page, 'case-status-de-390');
});
