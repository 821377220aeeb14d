/**
 * The contact page as a German manager sees it, at 1440 px and at 390 px: from a conversation to its contact, a
 * refused edit shown at its field, the suggested merge (same e-mail on another channel) and its undo, and the
 * erasure that leaves "[erased]" with the conversations still listed.
 */
import type { Page } from 'playwright-core';
import request from 'supertest';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { screenshot, startBrowser, type BrowserSession, signInAs } from '../support/browser';
import { startTestApp, type TestApp } from '../support/testApp';

jest.setTimeout(90_000);

let app: TestApp;
let browser: BrowserSession;
let manager: Awaited<ReturnType<typeof makeUser>>;
beforeAll(async () => {
  [app, browser] = await Promise.all([startTestApp(), startBrowser()]);
  manager = await makeUser(app.services.db, { role: 'manager', name: 'Jonas Berger', locale: 'de' });
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
});

async function ingest(author: { externalId: string; name: string }, text: string) {
  const channel = await makeApiChannel(app.services.db, app.services.secretBox);
  const res = await request(app.url)
    .post(`/api/v1/channels/${channel.channelId}/messages`)
    .auth(channel.ingestToken, { type: 'bearer' })
    .send(inboundPost({ author, text }));
  expect(res.status).toBe(201);
  return res.body as { conversationId: string };
}

/** The right edge of the contact page's widest element (the shared top bar is measured by its own tests). */
const fitsWidth = (page: Page) =>
  page.evaluate(() => Math.max(...[...document.querySelectorAll('.contact-page, .contact-page *')].map((e) => Math.ceil(e.getBoundingClientRect().right))));

describe('the contact page', () => {
  it('when a manager edits, merges, undoes and erases a contact at 1440 px and 390 px, then each step shows and the page fits', async () => {
    for (const width of [1440, 390]) {
      const first = await ingest({ externalId: `x-${width}`, name: `Erika ${width}` }, 'Wo bleibt mein Paket?');
      const second = await ingest({ externalId: `mail-${width}`, name: `E. Mustermann ${width}` }, 'Zweite Anfrage per Mail');
      const otherId = (await app.services.db.selectFrom('conversations').select('contactId').where('id', '=', second.conversationId).executeTakeFirstOrThrow())
        .contactId;
      await request(app.url)
        .patch(`/api/v1/contacts/${otherId}`)
        .auth(manager.token, { type: 'bearer' })
        .send({ email: `erika${width}@example.org` });

      const page = await browser.newPage({ locale: 'de-DE', viewport: { width, height: 900 } });
      await signInAs(page, app.url, manager);
      await page.goto(`${app.url}/conversations/${first.conversationId}`);
      await Promise.all([page.waitForURL(/\/contacts\//), page.click('#contact-link')]);
      await expect(page.locator('#contact-name').textContent()).resolves.toBe(`Erika ${width}`);

      await page.evaluate(() => document.querySelector('input[name="email"]')?.setAttribute('type', 'text'));
      await page.fill('input[name="email"]', 'keine-adresse');
      await page.click('#contact-save');
      await page.locator('.alert', { hasText: 'Bitte prüfen Sie die markierten Angaben.' }).waitFor();
      await expect(page.locator('input[name="email"]').getAttribute('aria-invalid')).resolves.toBe('true');

      await page.fill('input[name="email"]', `Erika${width}@example.org`);
      await page.fill('textarea[name="notes"]', 'Ruft abends an');
      await Promise.all([page.waitForURL(/\/contacts\/[^/]+$/), page.click('#contact-save')]);
      await page.locator('#contact-suggestions', { hasText: 'gleiche E-Mail-Adresse' }).waitFor();
      await Promise.all([page.waitForURL(/\/contacts\/[^/]+$/), page.click('#contact-suggestions button:has-text("Hierher zusammenführen")')]);
      await expect(page.locator('#contact-conversations tbody tr').count()).resolves.toBe(2);
      await expect(page.locator('#contact-identities li').count()).resolves.toBe(2);
      expect(await fitsWidth(page)).toBeLessThanOrEqual(width);
      await screenshot(page, `contact-de-${width}`);

      await Promise.all([page.waitForURL(/\/contacts\/[^/]+$/), page.click('#contact-suggestions button:has-text("Rückgängig")')]);
      await expect(page.locator('#contact-conversations tbody tr').count()).resolves.toBe(1);
      await page.locator('#contact-suggestions', { hasText: 'rückgängig gemacht' }).waitFor();

      await page.fill('#erasure-form input[name="reason"]', 'Antrag nach Art. 17');
      await Promise.all([page.waitForURL(/\/contacts\/[^/]+$/), page.click('#erasure-form button')]);
      await expect(page.locator('#contact-name').textContent()).resolves.toBe('[erased]');
      await page.locator('.badge.erased', { hasText: 'Personenbezogene Daten gelöscht' }).waitFor();
      await expect(page.locator('#contact-conversations tbody tr').count()).resolves.toBe(1);
      expect(await fitsWidth(page)).toBeLessThanOrEqual(width);
      await page.close();
    }
  });
});
