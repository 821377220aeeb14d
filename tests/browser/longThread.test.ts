/**
 * A conversation of 120 messages in the console, in German, from the keyboard: the latest 50 are shown, "Frühere
 * Nachrichten anzeigen" brings 50 more above them with the focus where the reader was, and a new message arriving
 * live keeps the earlier ones open. axe at 1440 and 390 px.
 */
import { sql } from 'kysely';
import request from 'supertest';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { axeFindings } from '../support/axe';
import { eventStreamOpen, screenshot, signInAs, startBrowser, type BrowserSession } from '../support/browser';
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

test('an agent reads a long thread back from the keyboard, and a new message keeps what she opened', async () => {
  const { db, secretBox } = app.services;
  const channel = await makeApiChannel(db, secretBox);
  const author = { externalId: 'kundin-lang', name: 'Erika Mustermann' };
  const ingest = async (text: string) => {
    const post = inboundPost({ author, text });
    const res = await request(app.url).post(`/api/v1/channels/${channel.channelId}/messages`).auth(channel.ingestToken, { type: 'bearer' }).send(post);
    expect(res.status).toBe(201);
    return res.body as { conversationId: string; messageId: string };
  };
  const { conversationId } = await ingest('Erste Frage');
  await sql`INSERT INTO messages (conversation_id, channel_id, direction, author_name, text, posted_at)
            SELECT ${conversationId}, ${channel.channelId}, CASE WHEN i % 2 = 0 THEN 'outbound' ELSE 'inbound' END, 'Erika',
                   'Nachricht ' || i, now() - interval '1 day' + i * interval '1 minute'
              FROM generate_series(1, 119) i`.execute(db);
  const lena = await makeUser(db, { role: 'agent', locale: 'de', name: 'Lena Vogt' });

  const page = await browser.newPage({ locale: 'de-DE', viewport: { width: 1440, height: 900 }, bypassCSP: true });
  await signInAs(page, app.url, lena);
  // the page re-reads its thread once it is in (a delivery may have finished meanwhile): after that, the keyboard
  const reread = page.waitForResponse((r) => r.url().includes(`/conversations/${conversationId}/thread`));
  await page.goto(`${app.url}/conversations/${conversationId}`);
  await reread;
  await eventStreamOpen(page);
  const messages = page.locator('#thread .msg');
  await expect(messages.count()).resolves.toBe(50);

  const earlier = page.getByRole('button', { name: 'Frühere Nachrichten anzeigen' });
  await earlier.focus();
  const newestShown = await messages.first().getAttribute('data-message-id');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('#thread .msg').length === 100);
  // the focus is on the newest of the fifty brought, just above the message the reader had reached
  const focusedId = () => page.evaluate(() => document.activeElement?.closest('.msg')?.getAttribute('data-message-id'));
  const focused = await focusedId();
  expect(await page.locator(`#thread .msg[data-message-id="${focused}"] + .msg`).getAttribute('data-message-id')).toBe(newestShown);
  expect(await page.locator('#thread .thread-earlier').count()).toBe(1);
  expect(await axeFindings(page)).toEqual([]);
  await screenshot(page, 'long-thread-1440');

  await ingest('Und noch etwas: die Rechnung fehlt.');
  await page.locator('#thread .msg', { hasText: 'die Rechnung fehlt' }).waitFor();
  await expect(messages.count()).resolves.toBe(101);
  expect(await page.locator('#thread .thread-earlier').count()).toBe(1);
  // the message she was reading gets the focus back once the live redraw has settled (keyboard.js, afterSettle:
  // the new message is in the page a moment before that)
  await page.waitForFunction((id) => document.activeElement?.closest('.msg')?.getAttribute('data-message-id') === id, focused, { timeout: 5_000 });

  // an action redraws the conversation: the thread comes back with the earlier messages she opened
  await page.evaluate(() => document.getElementById('thread')!.setAttribute('data-before-action', ''));
  await page.getByRole('button', { name: 'Mir zuweisen' }).click();
  await page.locator('#thread:not([data-before-action])').waitFor({ state: 'attached' });
  await page.waitForFunction(() => document.querySelectorAll('#thread .msg').length === 101);
  expect(await page.locator('#conversation-main dd', { hasText: 'Lena Vogt' }).count()).toBe(1);

  await page.setViewportSize({ width: 390, height: 844 });
  await earlier.click();
  await page.waitForFunction(() => document.querySelectorAll('#thread .msg').length === 121);
  expect(await page.locator('#thread .thread-earlier').count()).toBe(0);
  expect(await axeFindings(page)).toEqual([]);
  await screenshot(page, 'long-thread-390');
});
