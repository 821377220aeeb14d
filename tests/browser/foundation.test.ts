/**
 * The foundation as a person sees it, in headless Chromium: sign in, inbox, a conversation with hostile
 * customer text, a reply that turns "Zugestellt" live, a second console that sees a new conversation
 * appear live, and the language switch.
 */
import { createHmac } from 'node:crypto';
import type { Page } from 'playwright-core';
import request from 'supertest';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { eventStreamOpen, startBrowser, type BrowserSession, screenshot, signInAs } from '../support/browser';
import { startTestApp, type TestApp } from '../support/testApp';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhookReceiver';

jest.setTimeout(60_000);

const XSS_TEXT = 'Mein Paket <img src=x onerror="window.__pwned=1"> ist nicht da.';

let app: TestApp;
let hooks: WebhookReceiver;
let browser: BrowserSession;
let channel: Awaited<ReturnType<typeof makeApiChannel>>;

beforeAll(async () => {
  [app, hooks, browser] = await Promise.all([startTestApp({ workers: true }), startWebhookReceiver(), startBrowser()]);
  channel = await makeApiChannel(app.services.db, app.services.secretBox, { webhookUrl: hooks.url, name: 'Webshop API' });
});
afterAll(async () => {
  await browser?.close();
  await hooks?.close();
  await app?.stop();
});

async function newPage(): Promise<Page> {
  return browser.newPage({ locale: 'de-DE', viewport: { width: 1280, height: 800 } });
}

async function ingest(overrides: Parameters<typeof inboundPost>[0] = {}) {
  const res = await request(app.url)
    .post(`/api/v1/channels/${channel.channelId}/messages`)
    .auth(channel.ingestToken, { type: 'bearer' })
    .send(inboundPost(overrides));
  expect(res.status).toBe(201);
  return res.body as { conversationId: string; caseNumber: string };
}

describe('an agent in the console', () => {
  let page: Page;
  let conversationId: string;

  beforeAll(async () => {
    ({ conversationId } = await ingest({ text: XSS_TEXT, author: { externalId: 'erika-1', name: 'Erika Mustermann', handle: 'erika' } }));
    const agent = await makeUser(app.services.db, { role: 'agent', locale: 'de', name: 'Anna Agent' });
    page = await newPage();
    await signInAs(page, app.url, agent);
  });

  it('when signed in, then the inbox lists the conversation with the customer text shown as text', async () => {
    await expect(page.locator('h1').textContent()).resolves.toBe('Posteingang');
    const row = page.locator(`[data-conversation-id="${conversationId}"]`);
    await row.waitFor();
    await expect(row.locator('.snippet').textContent()).resolves.toBe(XSS_TEXT);
    await expect(page.evaluate(() => (window as { __pwned?: number }).__pwned)).resolves.toBeUndefined();
    await expect(page.locator('img[src="x"]').count()).resolves.toBe(0);
    await screenshot(page, 'inbox');
  });

  it('when the conversation is opened and a reply sent, then it becomes "Zugestellt" without a reload and the webhook got it signed', async () => {
    // The conversation opens beside the list; the address names it.
    await Promise.all([page.waitForURL(new RegExp(`/inbox/${conversationId}`)), page.click(`[data-conversation-id="${conversationId}"] a`)]);
    await page.locator('#conversation-main').waitFor();
    await eventStreamOpen(page);
    await expect(page.locator('.msg-inbound .msg-text').first().textContent()).resolves.toBe(XSS_TEXT);
    await expect(page.evaluate(() => (window as { __pwned?: number }).__pwned)).resolves.toBeUndefined();

    await page.evaluate(() => {
      (window as { __samePage?: boolean }).__samePage = true;
    });
    const responses: string[] = [];
    page.on('response', (r) => {
      if (!r.url().endsWith('/events')) responses.push(`${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`);
    });
    const before = hooks.received.length;
    const text = 'Hallo Erika, wir schicken Ihnen heute ein neues Paket.';
    await page.fill('#reply-text', text);
    await page.click('form.reply button[type="submit"]');

    const delivered = page.locator('#thread .msg-outbound [data-delivery="sent"]');
    await delivered.waitFor({ timeout: 15_000 }).catch(async (err: Error) => {
      const inDb = await app.services.db.selectFrom('messages').select(['deliveryState']).where('text', '=', text).execute();
      throw new Error(
        `${err.message}\nthread shows: ${await page.locator('#thread').innerHTML()}\ndatabase: ${JSON.stringify(inDb)}\nresponses: ${responses.join(', ')}`,
      );
    });
    await expect(delivered.textContent()).resolves.toContain('Zugestellt');
    await expect(page.locator('#thread .msg-outbound .msg-text').textContent()).resolves.toBe(text);
    await expect(page.evaluate(() => (window as { __samePage?: boolean }).__samePage)).resolves.toBe(true);
    await expect(page.locator('#reply-text').inputValue()).resolves.toBe('');
    await expect(page.locator('#conv-status').textContent()).resolves.toBe('Beantwortet');

    const [hook] = (await hooks.waitFor(before + 1)).slice(before);
    expect(hook!.json).toMatchObject({ event: 'reply', conversationId, text });
    expect(hook!.headers['x-replyline-signature']).toBe(`sha256=${createHmac('sha256', channel.webhookSecret).update(hook!.body).digest('hex')}`);
    await screenshot(page, 'conversation');
  });

  it('when the language is switched to English, then the same conversation shows English labels', async () => {
    await page.click('.topbar .usermenu summary');
    await page.click('.topbar .locale-switch button[value="en"]');
    await page.locator('html[lang="en"]').waitFor();
    expect(new URL(page.url()).pathname).toBe(`/inbox/${conversationId}`);
    await expect(page.locator('form.reply button[type="submit"]').textContent()).resolves.toBe('Send reply');
    await expect(page.locator('#thread [data-delivery="sent"]').textContent()).resolves.toContain('Delivered');
    await expect(page.locator('.mainnav a[href="/inbox"]').textContent()).resolves.toBe('Inbox');
    await screenshot(page, 'conversation-en');
  });
});

describe('a manager watching the inbox', () => {
  it('when a new post arrives, then it appears in the open inbox without a reload', async () => {
    const manager = await makeUser(app.services.db, { role: 'manager', locale: 'de', name: 'Max Manager' });
    const page = await newPage();
    await signInAs(page, app.url, manager);
    await eventStreamOpen(page);
    await page.evaluate(() => {
      (window as { __samePage?: boolean }).__samePage = true;
    });

    const text = `Neue Frage zur Rechnung ${Date.now()}`;
    const { conversationId } = await ingest({ text });
    const row = page.locator(`[data-conversation-id="${conversationId}"]`);
    await row.waitFor({ timeout: 15_000 });
    await expect(row.locator('.snippet').textContent()).resolves.toBe(text);
    await expect(page.evaluate(() => (window as { __samePage?: boolean }).__samePage)).resolves.toBe(true);
    await screenshot(page, 'inbox-manager');
  });
});
