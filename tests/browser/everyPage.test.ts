/**
 * Every page, for every role, in German: axe-core finds no serious or critical WCAG 2.1 AA violation, and at
 * 360 and 390 px nothing is wider than the screen (no horizontal scrolling). The pages are found the way a
 * user finds them: from the inbox, following the console's own links (navigation, tabs, a conversation), so a
 * page added later is checked without touching this test.
 */
import type { Page } from 'playwright-core';
import request from 'supertest';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { axeFindings, type Finding } from '../support/axe';
import { screenshot, startBrowser, type BrowserSession, signInAs } from '../support/browser';
import { startTestApp, type TestApp } from '../support/testApp';

jest.setTimeout(300_000);

const ROLES = ['agent', 'manager', 'auditor', 'admin'] as const;
const PHONE_WIDTHS = [360, 390];

let app: TestApp;
let browser: BrowserSession;
let users: Record<(typeof ROLES)[number], Awaited<ReturnType<typeof makeUser>>>;

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), startBrowser()]);
  const db = app.services.db;
  const channel = await makeApiChannel(db, app.services.secretBox, { name: 'Webshop-API' });
  users = Object.fromEntries(
    await Promise.all(ROLES.map(async (role) => [role, await makeUser(db, { role, locale: 'de', name: `Test ${role}` })])),
  ) as typeof users;
  // A service level on the channel, so the pages show SLA badges in each state: on track, warning, breached.
  const policy = await request(app.url)
    .post('/api/v1/sla-policies')
    .auth(users.manager.token, { type: 'bearer' })
    .send({ name: 'Rund um die Uhr, eine Stunde', calendarId: null, firstResponseMinutes: 60, nextResponseMinutes: 60, warnAtPercent: 50 })
    .expect(201);
  await request(app.url)
    .patch(`/api/v1/channels/${channel.channelId}`)
    .auth(users.manager.token, { type: 'bearer' })
    .send({ slaPolicyId: policy.body.id })
    .expect(200);
  // A listening query that the posts below match, so the monitoring pages show a chart, a table and top terms.
  await request(app.url)
    .post('/api/v1/listening-queries')
    .auth(users.manager.token, { type: 'bearer' })
    .send({ name: 'Paketprobleme mit einem recht langen Namen', query: 'paket* OR bestellung* OR #4711', actions: { tag: 'paket' } })
    .expect(201);
  const author = { externalId: `cust-${Date.now()}`, name: 'Erika Mustermann mit einem sehr langen Namen', handle: 'erika_mustermann_langer_handle' };
  const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();
  const posts = [
    { text: 'Meine Bestellung #4711 ist noch nicht angekommen. https://example.com/bestellung/4711', postedAt: minutesAgo(90), author },
    { text: 'Danke!', postedAt: minutesAgo(40) },
    { text: 'Wo ist mein Paket?', postedAt: minutesAgo(1) },
  ];
  let conversationId = '';
  for (const post of posts) {
    const res = await request(app.url)
      .post(`/api/v1/channels/${channel.channelId}/messages`)
      .auth(channel.ingestToken, { type: 'bearer' })
      .send(inboundPost(post));
    expect(res.status).toBe(201);
    conversationId = res.body.conversationId;
  }
  // A junior's reply waiting for approval: the approvers' queue has a card, the thread shows it waiting.
  const junior = await makeUser(db, { role: 'agent', locale: 'de', name: 'Jana Neu' });
  await db.updateTable('users').set({ repliesNeedApproval: true }).where('id', '=', junior.id).execute();
  await request(app.url)
    .post(`/api/v1/conversations/${conversationId}/replies`)
    .auth(junior.token, { type: 'bearer' })
    .send({ text: 'Das tut uns leid – wir prüfen Ihre Bestellung #4711 und melden uns heute noch.' })
    .expect(202);
  // Steps of a multi-step case, so the tasks panel and "Meine Aufgaben" show a done, a waiting and a due task.
  const team = await db.insertInto('teams').values({ name: 'Buchhaltung' }).returning('id').executeTakeFirstOrThrow();
  await db.insertInto('teamMembers').values({ teamId: team.id, userId: users.agent.id }).execute();
  const addTask = (body: object) =>
    request(app.url).post(`/api/v1/conversations/${conversationId}/tasks`).auth(users.agent.token, { type: 'bearer' }).send(body).expect(201);
  const first = await addTask({ title: 'Rechnung beim Kunden anfordern und im System hinterlegen', assigneeId: users.agent.id });
  await addTask({ title: 'Gutschrift buchen', teamId: team.id, dueInBusinessHours: 4, dependsOn: [1] });
  await addTask({
    title: 'Kunde informieren',
    assigneeId: users.manager.id,
    dueDate: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
    dependsOn: [2],
  });
  await request(app.url).post(`/api/v1/tasks/${first.body.id}/complete`).auth(users.agent.token, { type: 'bearer' }).expect(200);
  // A knowledge article, so the manager's crawl reaches the article editor from the knowledge base list.
  await request(app.url)
    .post('/api/v1/knowledge/articles')
    .auth(users.manager.token, { type: 'bearer' })
    .send({
      title: 'Rücksendung einer Bestellung mit einem recht langen Titel',
      body: '# Rücksendung\n\n- **kostenlos**\n- [Etikett](https://shop.example/etikett)',
      topic: 'Versand',
      language: 'de',
      state: 'published',
    })
    .expect(201);
  // A website chat with origins and invitation rules: its settings page and the reports' chat table have content.
  await request(app.url)
    .post('/api/v1/chat-sites')
    .auth(users.manager.token, { type: 'bearer' })
    .send({
      name: 'Webshop-Chat mit einem ziemlich langen Namen',
      allowedOrigins: ['https://www.ein-sehr-langer-shopname-mit-bindestrichen.example.de', 'http://localhost:8080'],
      invitationRules: [{ urlPattern: '/kasse/schritt-2/zahlungsarten-und-versandoptionen*', afterSeconds: 30 }],
    })
    .expect(201);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

/** One path per kind of page: ids become `:id`, so one conversation stands for all. */
const pageKind = (path: string) => path.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, ':id');

async function linkedPages(page: Page): Promise<string[]> {
  return page.$$eval('a[href^="/"]', (links) => links.map((a) => a.getAttribute('href') ?? ''));
}

/** The console's pages a signed-in user reaches by following links from the inbox (downloads left out, queries dropped). */
async function crawl(page: Page): Promise<string[]> {
  const seen = new Map<string, string>();
  const queue = ['/inbox'];
  while (queue.length) {
    const path = queue.shift()!;
    const kind = pageKind(path);
    if (seen.has(kind)) continue;
    seen.set(kind, path);
    await page.goto(app.url + path);
    for (const href of await linkedPages(page)) {
      const clean = href.split(/[?#]/)[0]!; // a page with other filters is the same kind of page
      if (
        /\.(csv|json)$|\/export\.html$/.test(clean) || // downloads, not pages
        clean === '/logout' ||
        seen.has(pageKind(clean))
      )
        continue;
      queue.push(clean);
    }
  }
  // The inbox opens a conversation beside the list (/inbox/:id); its page of its own is /conversations/:id.
  const opened = [...seen.values()].find((p) => /^\/inbox\/[0-9a-f-]{36}$/.test(p));
  if (opened && !seen.has('/conversations/:id')) seen.set('/conversations/:id', opened.replace('/inbox/', '/conversations/'));
  return [...seen.values()];
}

/** A drill-down link names its bucket in the query, which the crawl drops: the monitoring one is checked as linked. */
async function drillDownsWithTheirBucket(page: Page, pages: string[]): Promise<string[]> {
  if (!pages.includes('/monitoring/posts')) return pages;
  await page.goto(`${app.url}/monitoring`);
  const linked = await page.$eval('#monitoring-table a', (a) => a.getAttribute('href') ?? '');
  return pages.map((p) => (p === '/monitoring/posts' ? linked : p));
}

/** What sticks out past the right edge of the screen, named by tag, id and class. */
async function overflow(page: Page): Promise<{ width: number; wider: string[] }> {
  return page.evaluate(() => {
    const limit = document.documentElement.clientWidth;
    const wider = [...document.querySelectorAll('body *')]
      .filter((el) => {
        const r = el.getBoundingClientRect();
        return r.width > 0 && r.right > limit + 1 && !el.closest('[hidden], .sr-only, .skip-link');
      })
      .slice(0, 8)
      .map(
        (el) =>
          `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}`,
      );
    return { width: document.documentElement.scrollWidth, wider };
  });
}

describe.each(ROLES)('every page the %s reaches', (role) => {
  let page: Page;
  let pages: string[];

  beforeAll(async () => {
    // In Berlin, as our users are: the monitoring dashboard follows the browser's time zone when none is chosen.
    page = await browser.newPage({ locale: 'de-DE', timezoneId: 'Europe/Berlin', viewport: { width: 1440, height: 900 }, bypassCSP: true });
    await signInAs(page, app.url, users[role]);
    pages = await drillDownsWithTheirBucket(page, await crawl(page));
  });

  it('when the console is crawled from the inbox, then the inbox, a conversation and the settings are among the pages', () => {
    expect(pages).toEqual(expect.arrayContaining(['/inbox', '/settings/sla', '/notifications']));
    // the alert settings, linked from the notifications page for those who manage settings
    if (role === 'manager' || role === 'admin') expect(pages).toContain('/settings/alerts');
    if (role === 'manager') {
      expect(pages).toEqual(expect.arrayContaining(['/monitoring', '/monitoring/queries', expect.stringMatching(/^\/monitoring\/posts\?.*bucket=/)]));
    }
    // "Meine Aufgaben", for the roles that work on cases (its tab of done tasks is the same page)
    if (role === 'agent' || role === 'manager') expect(pages).toContain('/tasks');
    // a conversation opens beside the list, at /inbox/<id>
    expect(pages.some((p) => /^\/inbox\/[0-9a-f-]{36}/.test(p))).toBe(true);
    // website chat: the chat sites and a site's page, linked from the channels page for those who manage settings
    if (role === 'manager' || role === 'admin')
      expect(pages).toEqual(expect.arrayContaining(['/settings/chat-sites', expect.stringMatching(/^\/settings\/chat-sites\/[0-9a-f-]{36}$/)]));
    // approvers reach the queue of replies waiting for approval from the navigation
    if (role === 'manager') expect(pages).toContain('/approvals');
    // the knowledge base, its list and an article's editor, for managers
    if (role === 'manager')
      expect(pages).toEqual(
        expect.arrayContaining(['/settings/knowledge', '/settings/knowledge/new', expect.stringMatching(/^\/settings\/knowledge\/[0-9a-f-]{36}$/)]),
      );
  });

  it('when axe-core checks each page at 1440 px, then no serious or critical WCAG 2.1 AA violation is found', async () => {
    const found: Record<string, Finding[]> = {};
    for (const path of pages) {
      await page.goto(app.url + path);
      const findings = await axeFindings(page);
      if (findings.length) found[path] = findings;
    }
    expect(found).toEqual({});
  });

  it.each(PHONE_WIDTHS)('when each page is shown %i px wide, then nothing is wider than the screen and axe-core finds nothing serious', async (width) => {
    await page.setViewportSize({ width, height: 800 });
    const wide: Record<string, { width: number; wider: string[] }> = {};
    const found: Record<string, Finding[]> = {};
    for (const path of pages) {
      await page.goto(app.url + path);
      const o = await overflow(page);
      if (o.width > width) wide[path] = o;
      if (width === PHONE_WIDTHS[0]) {
        const findings = await axeFindings(page);
        if (findings.length) found[path] = findings;
      }
    }
    expect(wide).toEqual({});
    expect(found).toEqual({});
  });
});

describe('how the workspace looks, in German', () => {
  it.each([1440, 390])('when an agent opens the inbox and a conversation %i px wide, then screenshots of both are in test-artifacts/', async (width) => {
    const page = await browser.newPage({ locale: 'de-DE', viewport: { width, height: 900 } });
    await signInAs(page, app.url, users.agent);
    expect(await screenshot(page, `workspace-inbox-de-${width}`)).toMatch(/\.png$/);
    const conversation = await page.$eval('a.row-link', (a) => a.getAttribute('href'));
    await page.goto(app.url + conversation);
    await page.locator('#reply-text').fill('Guten Tag, Ihr Paket ist unterwegs: https://shop.example/sendung/4711');
    expect(await screenshot(page, `workspace-conversation-de-${width}`)).toMatch(/\.png$/);
  });
});
