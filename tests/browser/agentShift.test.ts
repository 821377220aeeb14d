/**
 * An agent's shift from the keyboard only, in Chromium, at 1440 px and at 390 px, in German: open the most urgent
 * conversation, assign it, reply with a canned response, send and close, go on with the next. Focus lands where the
 * work goes on after every step, and the phone layout never scrolls sideways.
 */
import type { Page } from 'playwright-core';
import request from 'supertest';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { eventStreamOpen, screenshot, signInAs, startBrowser, type BrowserSession } from '../support/browser';
import { startTestApp, type TestApp } from '../support/testApp';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhookReceiver';

jest.setTimeout(120_000);

let app: TestApp;
let hooks: WebhookReceiver;
let browser: BrowserSession;
let agent: Awaited<ReturnType<typeof makeUser>>;
const shortcut = `danke${Date.now().toString(36)}`;

beforeAll(async () => {
  [app, hooks, browser] = await Promise.all([startTestApp({ workers: true }), startWebhookReceiver(), startBrowser()]);
  agent = await makeUser(app.services.db, { role: 'agent', name: 'Lena Vogt', locale: 'de' });
  const manager = await makeUser(app.services.db, { role: 'manager' });
  const canned = await request(app.url)
    .post('/api/v1/canned-responses')
    .auth(manager.token, { type: 'bearer' })
    .send({ title: 'Danke', shortcut, body: 'Hallo {{contact.name}}, danke für Fall #{{case.number}}! {{agent.firstName}}', language: 'de' });
  expect(canned.status).toBe(201);
});
afterAll(async () => {
  await browser?.close();
  await hooks?.close();
  await app?.stop();
});

/** Three waiting conversations on a channel of their own: due in 20 min, due in 90 min, and one without a due time. */
async function threeWaiting() {
  const db = app.services.db;
  const channel = await makeApiChannel(db, app.services.secretBox, { webhookUrl: hooks.url, name: 'Webshop API' });
  const ingest = async (name: string, text: string, dueInMinutes: number | null) => {
    const res = await request(app.url)
      .post(`/api/v1/channels/${channel.channelId}/messages`)
      .auth(channel.ingestToken, { type: 'bearer' })
      .send(inboundPost({ text, author: { externalId: `${name}-${Date.now()}`, name } }));
    expect(res.status).toBe(201);
    const { conversationId, caseNumber } = res.body as { conversationId: string; caseNumber: string };
    if (dueInMinutes !== null) {
      await db
        .updateTable('conversations')
        .set({ responseDueAt: new Date(Date.now() + dueInMinutes * 60_000) })
        .where('id', '=', conversationId)
        .execute();
    }
    return { conversationId, caseNumber, name };
  };
  const later = await ingest('Jonas Weber', 'Wann kommt meine Rechnung?', 90);
  const none = await ingest('Mia Koch', 'Nur eine Frage zum Versand.', null);
  const urgent = await ingest('Erika Mustermann', 'Mein Paket ist seit einer Woche verschwunden!', 20);
  return { channel, urgent, later, none };
}

const activeElement = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return { id: el?.id ?? '', cls: el?.className ?? '', row: el?.closest('.row')?.getAttribute('data-conversation-id') ?? null };
  });
/** What sticks out to the right of the screen (empty when nothing scrolls sideways). */
const noSidewaysScroll = (page: Page) =>
  page.evaluate(() =>
    document.documentElement.scrollWidth <= window.innerWidth
      ? []
      : Array.from(document.querySelectorAll('body *'))
          .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
          .map((el) => `${el.tagName.toLowerCase()}#${el.id}.${el.className}`)
          .slice(0, 8),
  );
const statusIs = (page: Page, status: string) => page.waitForFunction((s) => document.querySelector('#conv-status')?.classList.contains(`pill-${s}`), status);

async function replyWithCanned(page: Page, caseNumber: string, name: string) {
  await page.keyboard.press('r');
  expect((await activeElement(page)).id).toBe('reply-text');
  await page.keyboard.type(`/${shortcut.slice(0, 7)}`);
  await page.locator(`.canned-pick[data-shortcut="${shortcut}"]`).waitFor();
  for (let i = 0; i < 5 && !(await activeElement(page)).cls.includes('canned-pick'); i++) await page.keyboard.press('Tab');
  expect((await activeElement(page)).cls).toContain('canned-pick');
  await page.keyboard.press('Enter');
  const expected = `Hallo ${name}, danke für Fall #${caseNumber}! Lena`;
  await page.waitForFunction((text) => (document.querySelector('#reply-text') as HTMLTextAreaElement | null)?.value === text, expected);
  // Focus is back in the reply box after inserting the canned response: the agent can go on typing.
  await page.waitForFunction(() => document.activeElement?.id === 'reply-text');
  return expected;
}

describe.each([
  { name: 'desktop', width: 1440, height: 900 },
  { name: 'phone', width: 390, height: 844 },
])('an agent working the inbox from the keyboard on the $name ($width px)', ({ width, height }) => {
  let page: Page;
  let cases: Awaited<ReturnType<typeof threeWaiting>>;

  beforeAll(async () => {
    cases = await threeWaiting();
    page = await browser.newPage({ locale: 'de-DE', viewport: { width, height } });
    await signInAs(page, app.url, agent);
    await page.goto(`${app.url}/inbox?channelId=${cases.channel.channelId}`);
    await eventStreamOpen(page);
  });

  it('when the inbox opens, then the most urgent conversation is first, the one without a service level says so, and nothing scrolls sideways', async () => {
    const ids = await page.locator('#inbox-list .row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-conversation-id')));
    expect(ids).toEqual([cases.urgent.conversationId, cases.later.conversationId, cases.none.conversationId]);
    await expect(page.locator(`.row[data-conversation-id="${cases.none.conversationId}"] [data-sla-state="none"]`).textContent()).resolves.toBe('Ohne SLA');
    expect(await noSidewaysScroll(page)).toEqual([]);
    await screenshot(page, `inbox-${width}-de`);
  });

  it('when the agent presses j and Enter, then the most urgent conversation opens beside the list (below it on a phone) and the URL names it', async () => {
    await page.keyboard.press('j');
    expect((await activeElement(page)).row).toBe(cases.urgent.conversationId);
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/inbox/${cases.urgent.conversationId}`));
    await page.locator('#conversation-main h1').waitFor();
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
    expect(await page.locator('#inbox-list').isVisible()).toBe(width >= 960);
    expect(await noSidewaysScroll(page)).toEqual([]);
  });

  it('when the agent presses a, then the conversation is assigned to them', async () => {
    await page.keyboard.press('a');
    await statusIs(page, 'assigned');
  });

  it('when the agent replies with a canned response and presses Shift+Ctrl+Enter, then the reply goes out, the conversation is closed and focus moves on', async () => {
    const expected = await replyWithCanned(page, cases.urgent.caseNumber, cases.urgent.name);
    const before = hooks.received.length;
    await page.keyboard.press('Shift+Control+Enter');
    await statusIs(page, 'closed');
    const [hook] = (await hooks.waitFor(before + 1)).slice(before);
    expect(hook!.json.text).toBe(expected);
    await screenshot(page, `conversation-${width}-de`);
    if (width >= 960) {
      // On the list, on the next conversation (the closed one left the open list).
      await page.waitForFunction((id) => document.activeElement?.closest('.row')?.getAttribute('data-conversation-id') === id, cases.later.conversationId);
    } else {
      // The list is hidden behind the conversation on a phone: the way back to it has focus.
      await page.waitForFunction(() => document.activeElement?.classList.contains('pane-back'));
      await page.keyboard.press('Enter');
      await page.waitForURL(/\/inbox\?/);
      await page.keyboard.press('j');
      expect((await activeElement(page)).row).toBe(cases.later.conversationId);
    }
  });

  it('when the agent presses Enter on the next one, then it opens, and Ctrl+Enter sends a reply keeping focus in the reply box', async () => {
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/inbox/${cases.later.conversationId}`));
    // the pane still shows the closed conversation until the next one has arrived (the URL changes first)
    await page.locator(`form[action="/conversations/${cases.later.conversationId}/replies"]`).waitFor();
    // focus moves to the heading once the pane has settled: a key pressed before would be taken from the reply box
    await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
    await page.keyboard.press('r');
    await page.keyboard.type('Die Rechnung ist unterwegs.');
    const before = hooks.received.length;
    await page.keyboard.press('Control+Enter');
    await statusIs(page, 'answered');
    await hooks.waitFor(before + 1);
    await page.waitForFunction(() => document.activeElement?.id === 'reply-text');
    expect(await noSidewaysScroll(page)).toEqual([]);
  });

  it('when the agent leaves the reply box with Escape and presses ?, then the shortcuts dialog opens with focus inside and Escape closes it', async () => {
    await page.keyboard.press('Escape');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    await page.keyboard.press('?');
    await page.waitForFunction(() => (document.getElementById('kbd-help') as HTMLDialogElement).open);
    expect(await page.evaluate(() => !!document.activeElement?.closest('#kbd-help'))).toBe(true);
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !(document.getElementById('kbd-help') as HTMLDialogElement).open);
  });

  it('when the agent presses / and types a name, then the list shows the match with the name marked', async () => {
    // On a phone the list is behind the open conversation: back to it first.
    if (width < 960) await page.goto(`${app.url}/inbox?channelId=${cases.channel.channelId}`);
    await page.keyboard.press('/');
    expect((await activeElement(page)).id).toBe('inbox-search');
    await page.keyboard.type('Koch');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.querySelector('#inbox-list mark')?.textContent === 'Koch');
    expect(await page.locator('#inbox-list .row').count()).toBe(1);
  });
});

describe('the skip link', () => {
  it('when a keyboard user presses Tab first, then the skip link appears and leads to the main content', async () => {
    const page = await browser.newPage({ locale: 'de-DE', viewport: { width: 1440, height: 900 } });
    await signInAs(page, app.url, agent);
    await page.keyboard.press('Tab');
    const skip = await page.evaluate(() => ({ cls: document.activeElement?.className, text: document.activeElement?.textContent }));
    expect(skip).toEqual({ cls: 'skip-link', text: 'Zum Inhalt springen' });
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'main');
  });
});
