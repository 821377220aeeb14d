/**
 * A website chat in the console, in German: routing gives it to Lena and it rings on the page she is on (toast),
 * she opens it, sees "Neuer Chat – Annehmen" with the visitor's page and pre-chat data, accepts it, sees the
 * visitor typing, and ends it ("Chat beenden"). The chat is written through the database (tests/support/webchatSeed.ts).
 */
import type { Page } from 'playwright-core';
import { inTransaction } from '../../server/domain/effects';
import { routeWaiting } from '../../server/domain/routing/routeWaiting';
import { makeUser } from '../factories/factories';
import { eventStreamOpen, startBrowser, type BrowserSession, signInAs } from '../support/browser';
import { startTestApp, type TestApp } from '../support/testApp';
import { makeChat, makeChatSite } from '../support/webchatSeed';

jest.setTimeout(120_000);

let app: TestApp;
let browser: BrowserSession;
type Made = Awaited<ReturnType<typeof makeUser>>;
let lena: Made;

beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp({ workers: true }), startBrowser()]);
  lena = await makeUser(app.services.db, { role: 'agent', locale: 'de', name: 'Lena Vogt' });
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function pageOf(user: Made, path: string): Promise<Page> {
  const page = await browser.newPage({ locale: 'de-DE', viewport: { width: 1280, height: 900 } });
  await signInAs(page, app.url, user);
  await page.goto(app.url + path);
  await eventStreamOpen(page);
  return page;
}

test('a chat rings for its agent on any page, is accepted, shows the visitor typing, and is ended', async () => {
  const db = app.services.db;
  const site = await makeChatSite(db, 'Webshop');
  await db.updateTable('channels').set({ routingMode: 'auto' }).where('id', '=', site.channelId).execute();
  await db.insertInto('agentProfiles').values({ userId: lena.id, availability: 'online', skills: '{}', capacity: '{}' }).execute();
  const page = await pageOf(lena, '/tasks');

  const chat = await makeChat(db, site, { prechatName: 'Mia Kunde', prechatEmail: 'mia@example.org', pageUrl: 'https://shop.example/checkout' });
  await inTransaction(db, app.services.dispatcher, (tx, effects) => routeWaiting(tx, effects, { channelIds: [site.channelId] }));

  const toast = page.locator('#sla-toasts .toast-chat');
  await toast.waitFor({ timeout: 10_000 });
  expect(await toast.textContent()).toContain('Neuer Chat – Annehmen');
  await toast.getByRole('link', { name: 'Öffnen' }).click();
  await page.waitForURL(`**/conversations/${chat.conversationId}`);
  await eventStreamOpen(page);

  const banner = page.locator('#chat-banner');
  expect(await banner.textContent()).toContain('Neuer Chat – Annehmen');
  expect(await page.locator('#chat-state').textContent()).toContain('Klingelt');
  expect(await page.locator('#chat-page a').getAttribute('rel')).toContain('noopener');
  expect(await page.locator('.chat-facts').textContent()).toContain('mia@example.org');

  await page.getByRole('button', { name: 'Annehmen' }).click();
  await page.locator('#chat-state', { hasText: 'Angenommen von Lena Vogt' }).waitFor();
  // the banner is its own swap: it may settle a moment after the chat's facts
  await page.locator('#chat-accept').waitFor({ state: 'detached', timeout: 5_000 });

  // the visitor types (the widget API publishes this): "Besucher tippt …" appears beside the chat facts
  await app.services.live.publish({ type: 'chat', conversationId: chat.conversationId, change: 'visitor_typing' });
  await page.locator('[data-chat-typing]', { hasText: 'Besucher tippt …' }).waitFor();

  await page.getByRole('button', { name: 'Chat beenden' }).click();
  await page.locator('#chat-state', { hasText: 'Beendet: vom Agenten' }).waitFor();
  expect(await page.locator('#conv-status').textContent()).toContain('Geschlossen');
});
