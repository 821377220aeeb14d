/**
 * Bot first in headless Chromium on a 390 px phone: the customer's site (its own server on loopback) embeds the
 * widget of a site with the bot on. A visitor asks what a help article answers, gets it from the automatic
 * assistant (labelled "Automatische Antwort"), says it helped, and the chat ends as self-served. Another visitor
 * presses "Mit einem Menschen sprechen": the chat rings at the agent, who sees the bot's exchange in the thread,
 * labelled there too. axe-core checks the widget and the agent's page.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { makeUser } from '../factories/factories';
import { axeFindings } from '../support/axe';
import { eventStreamOpen, screenshot, signInAs, startBrowser, type BrowserSession } from '../support/browser';
import { startTestApp, type TestApp } from '../support/testApp';

jest.setTimeout(180_000);

const PHONE = { width: 390, height: 844 };
let app: TestApp;
let browser: BrowserSession;
let sitePages: Server;
let siteOrigin: string;
let siteId: string;
type Made = Awaited<ReturnType<typeof makeUser>>;
let lena: Made;
let manager: Made;

/** The customer's website: every path is a page with the embed snippet. */
function startSitePages(): Promise<Server> {
  const server = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html>
<html lang="de"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Fahrradladen</title></head>
<body><main><h1>Fahrradladen</h1></main>
<script src="${app.url}/widget/v1/widget.js" data-site="${siteId}" async></script></body></html>`);
    void req;
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const api = (method: 'get' | 'post' | 'patch' | 'put', path: string, user: Made = manager) =>
  request(app.url)[method](`/api/v1${path}`).auth(user.token, { type: 'bearer' });

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp({ workers: true }), startBrowser()]);
  const db = app.services.db;
  lena = await makeUser(db, { role: 'agent', locale: 'de', name: 'Lena Vogt' });
  manager = await makeUser(db, { role: 'manager', locale: 'de', name: 'Jonas Berger' });
  sitePages = await startSitePages();
  siteOrigin = `http://127.0.0.1:${(sitePages.address() as AddressInfo).port}`;
  const site = await api('post', '/chat-sites')
    .send({ name: 'Fahrradladen', allowedOrigins: [siteOrigin], routing: { mode: 'auto', teamId: null }, bot: { enabled: true, maxTurns: 2 } })
    .expect(201);
  siteId = site.body.id;
  await api('post', '/knowledge/articles')
    .send({
      title: 'Rücksendung einer Bestellung',
      body: 'So senden Sie eine Bestellung zurück: Retourenschein drucken, Paket packen, abgeben.',
      language: 'de',
      state: 'published',
    })
    .expect(201);
  await api('put', `/users/${lena.id}/presence`, lena).send({ status: 'online' }).expect(200);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await new Promise((resolve) => sitePages?.close(resolve));
});

async function visitorAsks(question: string): Promise<Page> {
  const page = await browser.newPage({ locale: 'de-DE', viewport: PHONE, bypassCSP: true });
  await page.goto(`${siteOrigin}/hilfe`);
  await page.getByRole('button', { name: 'Chat öffnen' }).click();
  const form = page.locator('[data-replyline-chat] form').first();
  await form.getByText(/^Ich bin ein automatischer Assistent, kein Mensch\./).waitFor(); // told before the chat starts
  await screenshot(page, 'bot-prechat-de-390');
  await form.getByLabel('Ihre Nachricht').fill(question);
  await form.getByRole('checkbox').check();
  await form.getByRole('button', { name: 'Chat starten' }).click();
  await page.locator('[data-replyline-chat] .msg.bot', { hasText: 'Rücksendung einer Bestellung' }).waitFor();
  return page;
}

const widgetAxe = async (page: Page) => expect(await axeFindings(page, '[data-replyline-chat]')).toEqual([]);
const widerThanScreen = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth);
const sessionOf = (conversationId: string) =>
  app.services.db.selectFrom('chatSessions').selectAll().where('conversationId', '=', conversationId).executeTakeFirstOrThrow();
const chatIdOf = (page: Page) =>
  page.evaluate(() => JSON.parse(Object.entries(localStorage).find(([k]) => k.startsWith('replyline'))?.[1] ?? '{}').conversationId);

it('when a visitor asks what an article answers and says it helped, then the bot answer is labelled and the chat ends as self-served', async () => {
  const page = await visitorAsks('Wie kann ich meine Bestellung zurücksenden?');
  const bot = page.locator('[data-replyline-chat] .msg.bot').first();
  expect(await bot.locator('[data-bot-label]').textContent()).toBe('Automatische Antwort');
  expect(await bot.textContent()).toContain('Ich bin ein automatischer Assistent, kein Mensch.');
  expect(await bot.getByRole('link', { name: 'Rücksendung einer Bestellung' }).getAttribute('href')).toMatch(/\/help\/[0-9a-f-]{36}\/articles\/[0-9a-f-]{36}$/);
  await bot.getByText('Hat das geholfen?').waitFor();
  const human = page.getByRole('button', { name: 'Mit einem Menschen sprechen' });
  expect(await human.isVisible()).toBe(true);
  await widgetAxe(page);
  expect(await widerThanScreen(page)).toBe(false);
  await screenshot(page, 'bot-answer-de-390');

  const conversationId = await chatIdOf(page);
  await page.getByRole('button', { name: 'Ja, das hat geholfen' }).click();
  await page.getByText('Schön, dass wir helfen konnten. Der Chat ist beendet.').waitFor();
  expect(await human.isVisible()).toBe(false);
  expect(await page.getByRole('button', { name: 'Neuer Chat' }).isVisible()).toBe(true);
  await widgetAxe(page);
  expect(await sessionOf(conversationId)).toMatchObject({ botState: 'self_served', endReason: 'self_served' });
});

it('when a visitor presses "Mit einem Menschen sprechen", then the chat rings at the agent, who sees the bot exchange labelled in the thread', async () => {
  const agent = await browser.newPage({ locale: 'de-DE', viewport: { width: 1280, height: 900 }, bypassCSP: true });
  await signInAs(agent, app.url, lena);
  await eventStreamOpen(agent);

  const page = await visitorAsks('Bestellung zurücksenden, wie geht das?');
  await page.getByRole('button', { name: 'Mit einem Menschen sprechen' }).click();
  await page.locator('[data-replyline-chat] .msg.bot', { hasText: 'Ich verbinde Sie mit einem Menschen aus unserem Team.' }).waitFor();
  await page.getByRole('button', { name: 'Mit einem Menschen sprechen' }).waitFor({ state: 'hidden' });
  expect(await page.getByRole('button', { name: 'Ja, das hat geholfen' }).isVisible()).toBe(false);
  await widgetAxe(page);
  await screenshot(page, 'bot-handover-de-390');
  expect(await sessionOf(await chatIdOf(page))).toMatchObject({ botState: 'handed_over', botHandoverReason: 'asked' });

  const ringing = agent.locator('.toast-chat');
  await ringing.waitFor();
  await ringing.getByRole('link').click();
  await agent.waitForURL(/\/conversations\/[0-9a-f-]{36}$/);
  const thread = agent.locator('#thread');
  await thread.getByText('Bestellung zurücksenden, wie geht das?').waitFor();
  const botMessages = thread.locator('.msg', { has: agent.locator('[data-bot-label]') });
  expect(await botMessages.count()).toBe(2);
  expect(await botMessages.first().locator('[data-bot-label]').textContent()).toBe('Automatische Antwort');
  expect(await botMessages.first().textContent()).toContain('Rücksendung einer Bestellung');
  expect(await axeFindings(agent)).toEqual([]);
  await screenshot(agent, 'bot-thread-console');
});

it('when a manager opens the SLA report, then the self-service figures are there and accessible', async () => {
  const page = await browser.newPage({ locale: 'de-DE', viewport: { width: 1280, height: 900 }, bypassCSP: true });
  await signInAs(page, app.url, manager);
  await page.goto(`${app.url}/reports/sla`);
  const table = page.locator('#self-service-table');
  await table.waitFor();
  expect(await table.locator('[data-col="chats"]').textContent()).toBe('2');
  expect(await table.locator('[data-col="asked"]').textContent()).toBe('1');
  await page.locator('#self-service-articles', { hasText: 'Rücksendung einer Bestellung' }).waitFor();
  expect(await axeFindings(page)).toEqual([]);
  await screenshot(page, 'bot-self-service-report');
});
