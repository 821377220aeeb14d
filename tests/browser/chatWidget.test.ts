/**
 * The website chat widget on a customer's site, in headless Chromium: the site is another origin (its own
 * server on loopback) with a strict CSP (scripts and connections only from itself and Replyline, no inline
 * anything), the agent works in the console in a second browser context. One agent with one chat slot:
 * a visitor is invited only while that slot is free (an outstanding invitation holds it); the chat is accepted
 * and answered, the visitor sees the agent typing and the answer live, moves to another page of the site and
 * the chat goes on; at capacity there is no invitation and the visitor gets the offline form; a visitor who
 * starts a chat while the agent is busy sees their queue position. axe-core checks every open state.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConsoleMessage, Page } from 'playwright-core';
import request from 'supertest';
import { makeUser } from '../factories/factories';
import { axeFindings } from '../support/axe';
import { eventStreamOpen, screenshot, signInAs, startBrowser, type BrowserSession } from '../support/browser';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy';
import { startTestApp, type TestApp } from '../support/testApp';

jest.setTimeout(180_000);

const SITE_COLOUR = '#ffd400';
let app: TestApp;
let browser: BrowserSession;
let sitePages: Server;
/** the visitors' way to Replyline: cut it to lose the network */
let visitorNet: TcpProxy;
let widgetBase: string;
let siteOrigin: string;
let siteId: string;
type Made = Awaited<ReturnType<typeof makeUser>>;
let lena: Made;
let manager: Made;

/** The customer's website: every path is a page with the embed snippet, under a CSP without 'unsafe-inline'. */
function startSitePages(): Promise<Server> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://site').pathname;
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': `default-src 'none'; script-src 'self' ${widgetBase}; connect-src 'self' ${widgetBase}; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'`,
    });
    res.end(`<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>Fahrradladen – ${path}</title></head>
<body><main><h1>Fahrradladen ${path}</h1><p><a href="/shop/kasse">Zur Kasse</a></p></main>
<script src="${widgetBase}/widget/v1/widget.js" data-site="${siteId}" async></script></body></html>`);
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
  visitorNet = await startTcpProxy({ port: Number(new URL(app.url).port) });
  widgetBase = `http://127.0.0.1:${visitorNet.port}`;
  sitePages = await startSitePages();
  siteOrigin = `http://127.0.0.1:${(sitePages.address() as AddressInfo).port}`;

  const site = await api('post', '/chat-sites')
    .send({
      name: 'Fahrradladen',
      allowedOrigins: [siteOrigin],
      colour: SITE_COLOUR,
      prechat: { name: 'optional', email: 'optional' },
      invitationRules: [{ urlPattern: '/shop*', afterSeconds: 1 }],
      routing: { mode: 'auto', teamId: null },
    })
    .expect(201);
  siteId = site.body.id;
  await api('patch', `/users/${lena.id}`)
    .send({ capacity: { chat: 1 } })
    .expect(200);
  await api('put', `/users/${lena.id}/presence`, lena).send({ status: 'online' }).expect(200);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await new Promise((resolve) => sitePages?.close(resolve));
  await visitorNet?.close();
});

/** A visitor's browser. `strict`: the site's CSP applies (axe cannot be injected then); else CSP is bypassed for axe. */
async function visitor(path: string, strict = false): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ locale: 'de-DE', viewport: { width: 1280, height: 800 }, bypassCSP: !strict });
  const problems: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(siteOrigin + path);
  await page.locator('[data-replyline-chat] .launcher').waitFor();
  return { page, problems };
}

async function widgetAxe(page: Page) {
  expect(await axeFindings(page, '[data-replyline-chat]')).toEqual([]);
}

const invitationAnswer = (page: Page) =>
  page
    .waitForResponse((r) => r.url().endsWith(`/widget/v1/sites/${siteId}/invitations`))
    .then((r) => r.json() as Promise<{ invite: boolean; reason?: string }>);

let chatA: { page: Page; problems: string[] };
let busyVisitor: { page: Page; problems: string[] };
let agent: Page;

it('when the agent has a free chat slot, then a visitor on a shop page is invited (the invitation holds the slot: nobody else is), starts the chat and sees it accepted', async () => {
  // a visitor opens the chat form on a page without an invitation rule while the slot is free, and waits
  busyVisitor = await visitor('/hilfe');
  await busyVisitor.page.getByRole('button', { name: 'Chat öffnen' }).click();
  await busyVisitor.page.getByLabel('Ihre Nachricht').waitFor();
  await widgetAxe(busyVisitor.page);

  chatA = await visitor('/shop/fahrraeder', true);
  const bubble = chatA.page.locator('[data-replyline-chat] .invite');
  await bubble.waitFor({ timeout: 10_000 });
  // the styles reached the shadow root under the site's CSP: the launcher wears the site colour
  expect(await chatA.page.locator('[data-replyline-chat] .launcher').evaluate((e) => getComputedStyle(e).backgroundColor)).toBe('rgb(255, 212, 0)');

  // the invitation holds the only slot: a second visitor on a shop page is not invited meanwhile
  const other = await browser.newPage({ locale: 'de-DE' });
  const otherAnswer = invitationAnswer(other);
  await other.goto(`${siteOrigin}/shop/helme`);
  expect(await otherAnswer).toMatchObject({ invite: false });
  expect(await other.locator('[data-replyline-chat] .invite').count()).toBe(0);

  // the agent's console is open (her inbox), so the chat rings there
  agent = await browser.newPage({ locale: 'de-DE', viewport: { width: 1280, height: 900 } });
  await signInAs(agent, app.url, lena);
  await eventStreamOpen(agent);

  await bubble.getByRole('button', { name: 'Chat starten' }).click();
  const form = chatA.page.locator('[data-replyline-chat] form').first();
  await form.getByLabel('Name (optional)').fill('Kim Berger');
  await form.getByLabel('Ihre Nachricht').fill('Passt der Helm auch bei 60 cm Kopfumfang?');
  await form.getByRole('checkbox').check();
  await form.getByRole('button', { name: 'Chat starten' }).click();
  await chatA.page.getByText('Passt der Helm auch bei 60 cm Kopfumfang?').waitFor();

  // the chat rings in the agent's console; she opens and accepts it
  const ringing = agent.locator('.toast-chat');
  await ringing.waitFor();
  await ringing.getByRole('link').click();
  await agent.waitForURL(/\/conversations\/[0-9a-f-]{36}$/);
  await eventStreamOpen(agent);
  await agent.locator('#chat-accept').click();
  await chatA.page.getByText('Lena Vogt ist jetzt für Sie da.').waitFor();
});

it('when the agent is at capacity, then no invitation, the offline form makes a case, and a visitor who starts a chat sees their queue position', async () => {
  const late = await visitor('/shop/zubehoer');
  expect(await invitationAnswer(late.page)).toEqual({ invite: false, reason: 'no_capacity' });
  expect(await late.page.locator('[data-replyline-chat] .invite').count()).toBe(0);

  await late.page.getByRole('button', { name: 'Chat öffnen' }).click();
  const offline = late.page.locator('[data-replyline-chat] form');
  await offline.getByLabel('E-Mail', { exact: true }).waitFor();
  await widgetAxe(late.page);
  await offline.getByLabel('E-Mail', { exact: true }).fill('mia@example.test');
  await offline.getByLabel('Ihre Nachricht').fill('Habt ihr den Helm auch in Grün?');
  await offline.getByRole('checkbox').check();
  await offline.getByRole('button', { name: 'Nachricht senden' }).click();
  await late.page.getByText(/Danke! Wir antworten Ihnen per E-Mail \(Fall #\d+\)\./).waitFor();
  await widgetAxe(late.page);

  // the visitor who opened the form while the slot was free starts now: the chat waits, with its place in the queue
  const form = busyVisitor.page.locator('[data-replyline-chat] form').first();
  await form.getByLabel('Ihre Nachricht').fill('Wann öffnet der Laden morgen?');
  await form.getByRole('checkbox').check();
  await form.getByRole('button', { name: 'Chat starten' }).click();
  await busyVisitor.page.getByText(/^Position 1( · ca\. \d+ Min\.)?$/).waitFor();
  await screenshot(busyVisitor.page, 'chat-widget-queued');
  await widgetAxe(busyVisitor.page);
  await busyVisitor.page.getByRole('button', { name: 'Transkript per E-Mail' }).click();
  await widgetAxe(busyVisitor.page);
});

it('when the agent answers, then the visitor sees her typing and the answer live, keeps the chat on the next page, and gets what was written while the network was away once', async () => {
  await agent.locator('#reply-text').pressSequentially('Ja, der passt', { delay: 30 });
  await chatA.page.getByText('Lena Vogt schreibt …').waitFor();
  await agent.locator('#reply-text').fill('Ja, der passt bis 62 cm.');
  await agent.locator('#reply-send').click();
  const log = chatA.page.locator('[data-replyline-chat] [role="log"]');
  await log.getByText('Ja, der passt bis 62 cm.').waitFor();
  await screenshot(chatA.page, 'chat-widget-answered');

  // the next page of the site: the chat is still there, history included, and goes on both ways
  await chatA.page.locator('main a', { hasText: 'Zur Kasse' }).click();
  await chatA.page.waitForURL(/\/shop\/kasse$/);
  await log.getByText('Ja, der passt bis 62 cm.').waitFor();
  expect(await log.getByText('Ja, der passt bis 62 cm.').count()).toBe(1);
  await chatA.page.getByLabel('Ihre Nachricht').fill('Super, danke!');
  await chatA.page.keyboard.press('Enter');
  await agent.locator('#thread', { hasText: 'Super, danke!' }).waitFor();

  // the network goes away while the agent writes; back again, the message arrives once
  visitorNet.cut();
  await chatA.page.getByText('Verbindung unterbrochen – wird wiederhergestellt …').waitFor();
  await agent.locator('#reply-text').fill('Gern! Noch etwas?');
  await agent.locator('#reply-send').click();
  await agent.locator('#thread', { hasText: 'Gern! Noch etwas?' }).waitFor();
  visitorNet.restore();
  await log.getByText('Gern! Noch etwas?').waitFor({ timeout: 40_000 });
  await chatA.page.getByText('Verbindung unterbrochen – wird wiederhergestellt …').waitFor({ state: 'detached' });
  expect(await log.getByText('Gern! Noch etwas?').count()).toBe(1);
  expect(await log.getByText('Ja, der passt bis 62 cm.').count()).toBe(1);
  expect(chatA.problems.filter((p) => /Content Security Policy|Refused/.test(p))).toEqual([]);
});
