/**
 * A callback requested outside opening hours, in headless Chromium (setup as in chatWidget.test.ts: the customer's
 * site is another origin on loopback, under a strict CSP for the visitor's page). The site's calendar opens a few
 * minutes ahead. Before that, a visitor on a phone-sized screen finds the site closed, asks for a callback in a
 * window from the opening on, and is told the case number. The agent is online already with free slots, yet the
 * case stays in no queue until the window opens (less the callback lead); then the router's sweep hands it to her,
 * she sees the number and the window, calls, records "reached", and the callback counts as met. axe-core checks the
 * widget's callback form and the agent's page.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConsoleMessage, Page } from 'playwright-core';
import request from 'supertest';
import { CALLBACK_LEAD_MINUTES } from '../../server/domain/callbacks/callbackOpening';
import { makeUser } from '../factories/factories';
import { axeFindings } from '../support/axe';
import { screenshot, signInAs, startBrowser, type BrowserSession } from '../support/browser';
import { startTestApp, type TestApp } from '../support/testApp';
import { until } from '../support/until';

jest.setTimeout(420_000);

const LEAD_MS = CALLBACK_LEAD_MINUTES * 60_000;

/**
 * The site's time zone: the first of these where the opening falls between 06:00 and 20:00 local time, so the visitor's
 * window (one local date, from the opening for two hours) never crosses midnight, whenever the suite runs.
 */
const ZONES = ['Europe/Berlin', 'Asia/Tokyo', 'America/New_York'];
let siteZone: string;
const localHour = (zone: string, at: Date) => Number(new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' }).format(at));
let app: TestApp;
let browser: BrowserSession;
let sitePages: Server;
let siteOrigin: string;
let siteId: string;
type Made = Awaited<ReturnType<typeof makeUser>>;
let lena: Made;
let manager: Made;
/** the calendar opens at this instant (a whole minute) */
let opensAt: Date;

const hhmm = (at: Date) => new Intl.DateTimeFormat('en-GB', { timeZone: siteZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
const api = (method: 'get' | 'post' | 'patch' | 'put', path: string, user: Made = manager) =>
  request(app.url)[method](`/api/v1${path}`).auth(user.token, { type: 'bearer' });

function startSitePages(widgetBase: string): Promise<Server> {
  const server = createServer((_req, res) => {
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': `default-src 'none'; script-src 'self' ${widgetBase}; connect-src 'self' ${widgetBase}; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'`,
    });
    res.end(`<!doctype html>
<html lang="de"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Fahrradladen</title></head>
<body><main><h1>Fahrradladen</h1></main>
<script src="${widgetBase}/widget/v1/widget.js" data-site="${siteId}" async></script></body></html>`);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp({ workers: true }), startBrowser()]);
  const db = app.services.db;
  lena = await makeUser(db, { role: 'agent', locale: 'de', name: 'Lena Vogt' });
  manager = await makeUser(db, { role: 'manager', locale: 'de', name: 'Jonas Berger' });
  sitePages = await startSitePages(app.url);
  siteOrigin = `http://127.0.0.1:${(sitePages.address() as AddressInfo).port}`;

  // open every day from the next whole minute that is at least a minute plus the callback lead away, for four hours
  opensAt = new Date(Math.ceil((Date.now() + 60_000 + LEAD_MS) / 60_000) * 60_000);
  siteZone = ZONES.find((zone) => localHour(zone, opensAt) >= 6 && localHour(zone, opensAt) < 20) as string;
  const closes = hhmm(new Date(opensAt.getTime() + 4 * 3_600_000));
  const hours = [[hhmm(opensAt), closes]];
  const calendar = await api('post', '/calendars')
    .send({ name: 'Ab gleich', timeZone: siteZone, weekly: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, hours])) })
    .expect(201);
  siteId = (
    await api('post', '/chat-sites')
      .send({ name: 'Fahrradladen', allowedOrigins: [siteOrigin], calendarId: calendar.body.id, callbackMinutes: 60, routing: { mode: 'auto', teamId: null } })
      .expect(201)
  ).body.id;
  await api('patch', `/users/${lena.id}`)
    .send({ capacity: { chat: 2 } })
    .expect(200);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await new Promise((resolve) => sitePages?.close(resolve));
});

async function phoneVisitor(): Promise<{ page: Page; problems: string[] }> {
  // bypassCSP only so axe can be injected; the widget itself runs under the site's CSP in chatWidget.test.ts
  const page = await browser.newPage({ locale: 'de-DE', viewport: { width: 390, height: 844 }, bypassCSP: true });
  const problems: string[] = [];
  page.on('console', (m: ConsoleMessage) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(siteOrigin);
  await page.locator('[data-replyline-chat] .launcher').waitFor();
  return { page, problems };
}

it('when a visitor asks for a callback while the site is closed, then the online agent gets the case only at the opening, records "reached", and the callback is met', async () => {
  const { page, problems } = await phoneVisitor();
  expect(Date.now()).toBeLessThan(opensAt.getTime() - 10_000); // still closed
  await page.getByRole('button', { name: 'Chat öffnen' }).click();
  await page.getByLabel('E-Mail', { exact: true }).waitFor(); // closed: the offline form
  await page.getByRole('button', { name: 'Rückruf anfordern' }).click();

  const form = page.locator('[data-replyline-chat] form');
  await form.getByText(`Uhrzeiten in ${siteZone}`).waitFor();
  // the form checks before it sends: a number without its country code is named at its field
  await form.getByLabel('Telefonnummer (mit Ländervorwahl)').fill('0170 1234567');
  await form.getByRole('button', { name: 'Rückruf anfordern' }).click();
  await form.getByText('Bitte geben Sie die Nummer mit Ländervorwahl an').waitFor();
  expect(await form.getByLabel('Telefonnummer (mit Ländervorwahl)').getAttribute('aria-invalid')).toBe('true');

  const to = new Date(Math.min(opensAt.getTime() + 2 * 3_600_000, opensAt.getTime() + 4 * 3_600_000 - 60_000));
  await form.getByLabel('Telefonnummer (mit Ländervorwahl)').fill('+49 170 1234567');
  await form.getByLabel('Name', { exact: true }).fill('Kim Berger');
  await form.getByLabel('Von', { exact: true }).fill(hhmm(opensAt));
  await form.getByLabel('Bis', { exact: true }).fill(hhmm(to));
  await form.getByRole('checkbox').check();
  expect(await axeFindings(page, '[data-replyline-chat]')).toEqual([]);
  await screenshot(page, 'callback-widget-form-390');
  await form.getByRole('button', { name: 'Rückruf anfordern' }).click();
  const confirmation = page.locator('[data-replyline-chat] [role=status]');
  await confirmation.waitFor();
  const caseNumber = /Fall #(\d+)/.exec(await confirmation.innerText())?.[1];
  expect(caseNumber).toBeDefined();
  expect(problems).toEqual([]);

  const db = app.services.db;
  const conversation = await db.selectFrom('conversations').selectAll().where('caseNumber', '=', caseNumber!).executeTakeFirstOrThrow();
  const callback = await db.selectFrom('callbackRequests').selectAll().where('conversationId', '=', conversation.id).executeTakeFirstOrThrow();
  // due = max(window start, arrival + 60 business minutes) = the opening + 60 minutes
  expect(callback.dueAt.getTime()).toBe(opensAt.getTime() + 60 * 60_000);
  expect(conversation.assigneeId).toBeNull();

  // the agent is online with free slots before the window opens: the routing pass her presence asks for passes the case by
  const agent = await browser.newPage({ locale: 'de-DE', viewport: { width: 1280, height: 900 }, bypassCSP: true });
  await signInAs(agent, app.url, lena);
  await api('put', `/users/${lena.id}/presence`, lena).send({ status: 'online' }).expect(200);
  await new Promise((resolve) => setTimeout(resolve, 3_000));
  expect(Date.now()).toBeLessThan(opensAt.getTime() - LEAD_MS);
  expect((await db.selectFrom('conversations').select('assigneeId').where('id', '=', conversation.id).executeTakeFirstOrThrow()).assigneeId).toBeNull();
  // at the opening (less the lead) the router's sweep, every 30 s, hands her the case
  const routed = await until(
    'the callback routed to Lena',
    async () => {
      const c = await db.selectFrom('conversations').select(['assigneeId', 'routedAt']).where('id', '=', conversation.id).executeTakeFirstOrThrow();
      return c.assigneeId === lena.id && c.routedAt;
    },
    opensAt.getTime() - Date.now() + 40_000,
  );
  expect(routed.getTime()).toBeGreaterThanOrEqual(opensAt.getTime() - LEAD_MS);

  await agent.goto(`${app.url}/conversations/${conversation.id}`);
  const panel = agent.locator('#callback-panel');
  expect(await panel.locator('#callback-phone').getAttribute('href')).toBe('tel:+491701234567');
  expect(await panel.locator('#callback-window').innerText()).toContain(`${hhmm(opensAt)} bis`);
  expect(await axeFindings(agent)).toEqual([]);
  await panel.getByLabel('erreicht', { exact: true }).check();
  await panel.getByLabel('Notiz (optional)').fill('Termin vereinbart');
  await panel.getByRole('button', { name: 'Anruf erfassen' }).click();
  await agent.locator('#callback-settled').waitFor();
  expect(await agent.locator('#callback-attempts li').first().innerText()).toContain('erreicht');
  await agent.locator('#conv-sla.sla-met').waitFor();
  await screenshot(agent, 'callback-console-reached');

  const post = await db
    .selectFrom('messages')
    .select(['slaState', 'respondedAt'])
    .where('conversationId', '=', conversation.id)
    .where('direction', '=', 'inbound')
    .executeTakeFirstOrThrow();
  expect(post.slaState).toBe('met');
  expect(
    (await api('get', `/reports/callbacks?from=${new Date().toISOString().slice(0, 10)}&to=${new Date().toISOString().slice(0, 10)}&timeZone=UTC`)).body,
  ).toMatchObject({
    requested: 1,
    reached: 1,
    reachedWithinTarget: 1,
    reachedWithinTargetPercent: 100,
  });
});
