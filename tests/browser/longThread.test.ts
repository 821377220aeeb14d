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
  await page.goto(`${app.url}/conversations/${conversationId}`);
  await eventStreamOpen(page);
  const messages = page.locator('#thread .msg');
  await expect(messages.count()).resolves.toBe(50);

  const earlier = page.getByRole('button', { name: 'Frühere Nachrichten anzeigen' });
  await earlier.focus();
  const newestShown = await messages.first().getAttribute('data-message-id');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => document.querySelectorAll('#thread .msg').length === 100);
  // the focus is on the newest of the fifty brought, just above the message the reader had reached
  const focused = await page.evaluate(() => document.activeElement?.closest('.msg')?.nextElementSibling?.getAttribute('data-message-id'));
  expect(focused).toBe(newestShown);
  expect(await page.locator('#thread .thread-earlier').count()).toBe(1);
  expect(await axeFindings(page)).toEqual([]);
  await screenshot(page, 'long-thread-1440');

  await ingest('Und noch etwas: die Rechnung fehlt.');
  await page.locator('#thread .msg', { hasText: 'die Rechnung fehlt' }).waitFor();
  await expect(messages.count()).resolves.toBe(101);
  expect(await page.locator('#thread .thread-earlier').count()).toBe(1);

  await page.setViewportSize({ width: 390, height: 844 });
  await earlier.click();
  await page.waitForFunction(() => document.querySelectorAll('#thread .msg').length === 121);
  expect(await page.locator('#thread .thread-earlier').count()).toBe(0);
  expect(await axeFindings(page)).toEqual([]);
  await screenshot(page, 'long-thread-390');
});
