/**
 * Facebook and Instagram as agents see them, in headless Chromium: one agent answers a Facebook comment
 * publicly, another answers one privately and hides a third, and an Instagram DM is answered — each reaching
 * the fake Graph API. A manager connects a Facebook page and is shown the webhook's verify token once.
 */
import type { Page } from 'playwright-core';
import request from 'supertest';
import { makeUser } from '../factories/factories';
import { makeMetaChannel } from '../factories/messagingChannels';
import { signPayload } from '../fakes/fakeMetaServer';
import { delivery, directMessage, fbCommentChange, startFakeMetaPages, type FakeMetaPages } from '../fakes/fakeMetaPages';
import { eventStreamOpen, startBrowser, type BrowserSession, screenshot, signInAs } from '../support/browser';
import { startTestApp, type TestApp } from '../support/testApp';

jest.setTimeout(90_000);

const PAGE_TOKEN = 'EAAP-browser';
let app: TestApp;
let browser: BrowserSession;
let graph: FakeMetaPages;

beforeAll(async () => {
  [app, browser, graph] = await Promise.all([startTestApp({ workers: true }), startBrowser(), startFakeMetaPages({ pageToken: PAGE_TOKEN })]);
});
afterAll(async () => {
  await browser?.close();
  await graph?.close();
  await app?.stop();
});

async function signedIn(role: 'agent' | 'manager', name: string, width = 1440): Promise<Page> {
  const page = await browser.newPage({ locale: 'de-DE', viewport: { width, height: 900 } });
  await signInAs(page, app.url, await makeUser(app.services.db, { role, locale: 'de', name }));
  return page;
}

async function deliver(payload: unknown, appSecret: string) {
  const body = JSON.stringify(payload);
  const res = await request(app.url)
    .post('/webhooks/meta')
    .set('content-type', 'application/json')
    .set('x-hub-signature-256', signPayload(appSecret, body))
    .send(body);
  expect(res.status).toBe(200);
}

async function conversationOf(channelId: string, externalId: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const m = await app.services.db
      .selectFrom('messages')
      .select('conversationId')
      .where('channelId', '=', channelId)
      .where('externalId', '=', externalId)
      .executeTakeFirst();
    if (m) return m.conversationId;
    if (Date.now() > deadline) throw new Error(`message ${externalId} never arrived`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function open(page: Page, conversationId: string) {
  await page.goto(`${app.url}/conversations/${conversationId}`);
  await eventStreamOpen(page);
}

async function send(page: Page, text: string, privately = false) {
  await page.fill('#reply-text', text);
  if (privately) await page.check('#reply-privately');
  await page.click('form.reply button[type="submit"]');
  await page.locator('#thread .msg-outbound [data-delivery="sent"]').waitFor({ timeout: 15_000 });
}

describe('Facebook comments and an Instagram DM in the console', () => {
  it('when agents answer one comment publicly and one privately, hide a third and answer an Instagram DM, then each reaches Meta as such', async () => {
    const fb = await makeMetaChannel(app.services.db, app.services.secretBox, 'facebook', {
      name: 'Facebook Filialen',
      pageToken: PAGE_TOKEN,
      graphBaseUrl: graph.baseUrl,
    });
    const ig = await makeMetaChannel(app.services.db, app.services.secretBox, 'instagram', {
      name: 'Instagram Shop',
      pageToken: PAGE_TOKEN,
      graphBaseUrl: graph.baseUrl,
    });
    const [publicQ, privateQ, spam] = [
      fbCommentChange(fb.pageId, { from: { id: '3001', name: 'Erika Öffentlich' }, message: 'Habt ihr am Samstag offen?' }),
      fbCommentChange(fb.pageId, { from: { id: '3002', name: 'Paul Privat' }, message: 'Meine Bestellung 4711 fehlt <script>alert(1)</script>' }),
      fbCommentChange(fb.pageId, { from: { id: '3003', name: 'Spam Bot' }, message: 'Billige Uhren hier!!!' }),
    ];
    await deliver(delivery('page', [{ id: fb.pageId, changes: [publicQ, privateQ, spam] }]), fb.appSecret);
    const dm = directMessage(ig.pageId, { senderId: '9100001', text: 'Ist die Jacke noch in M da?' });
    await deliver(delivery('instagram', [{ id: ig.pageId, messaging: [dm] }]), ig.appSecret);

    const anna = await signedIn('agent', 'Anna Agent');
    await open(anna, await conversationOf(fb.channelId, publicQ.value.comment_id));
    await send(anna, 'Ja, samstags von 9 bis 18 Uhr!');
    expect(graph.calls.find((c) => c.path === `/${publicQ.value.comment_id}/comments`)?.body).toEqual({ message: 'Ja, samstags von 9 bis 18 Uhr!' });

    const ben = await signedIn('agent', 'Ben Agent', 390);
    await open(ben, await conversationOf(fb.channelId, privateQ.value.comment_id));
    await expect(ben.locator('#thread .msg-inbound .msg-text').first().textContent()).resolves.toContain('<script>alert(1)</script>');
    await send(ben, 'Wir schauen uns Bestellung 4711 an.', true);
    expect(graph.calls.find((c) => c.body.recipient?.comment_id === privateQ.value.comment_id)?.body).toEqual({
      recipient: { comment_id: privateQ.value.comment_id },
      message: { text: 'Wir schauen uns Bestellung 4711 an.' },
    });
    await screenshot(ben, 'meta-private-reply-390');

    await open(ben, await conversationOf(fb.channelId, spam.value.comment_id));
    await ben.click('#thread .msg-inbound [data-moderate="hide"]');
    await ben.locator('#thread [data-comment-state="hidden"]').waitFor({ timeout: 15_000 });
    expect(graph.calls.at(-1)).toMatchObject({ path: `/${spam.value.comment_id}`, body: { is_hidden: true } });
    await expect(ben.locator('#thread .msg-inbound [data-moderate="unhide"]').count()).resolves.toBe(1);

    await open(anna, await conversationOf(ig.channelId, dm.message.mid));
    await anna.locator('#reply-window [data-window="open"]').waitFor({ timeout: 15_000 });
    await send(anna, 'Ja, Größe M ist da.');
    expect(graph.calls.at(-1)).toMatchObject({ path: `/${ig.pageId}/messages`, body: { recipient: { id: '9100001' }, messaging_type: 'RESPONSE' } });
    await screenshot(anna, 'meta-instagram-dm-1440');
  });

  it('when a manager connects a Facebook page with the channels form, then the callback URL and the verify token are shown once; a second channel for the page is refused at the field; the page is edited like any channel', async () => {
    const page = await signedIn('manager', 'Mona Manager');
    const form = page.locator('form[data-kind="facebook"]');
    const fill = async (pageId: string) => {
      await page.goto(`${app.url}/settings/channels`);
      await form.locator('input[name="name"]').fill('Facebook Neu');
      await form.locator('input[name="pageId"]').fill(pageId);
      await form.locator('input[name="appSecret"]').fill('geheim-123');
      await form.locator('input[name="pageToken"]').fill('EAAP-neu');
      await Promise.all([page.waitForLoadState('load'), form.locator('button[type="submit"]').click()]);
    };
    await fill('555000111');
    await expect(page.locator('#shown-secrets [data-secret="callbackUrl"]').inputValue()).resolves.toMatch(/\/webhooks\/meta$/);
    await expect(page.locator('#shown-secrets [data-secret="verifyToken"]').inputValue()).resolves.toMatch(/^rlv_/);
    await screenshot(page, 'meta-connect-shown-1440');
    await fill('555000111');
    await expect(page.locator('#new-facebook-channel [role="alert"]').count()).resolves.toBeGreaterThan(0);
    expect(await form.locator('input[name="pageId"]').getAttribute('aria-invalid')).toBe('true');
    expect(await form.locator('input[name="appSecret"]').inputValue()).toBe('');

    const channel = await app.services.db.selectFrom('channels').select('id').where('name', '=', 'Facebook Neu').executeTakeFirstOrThrow();
    const card = page.locator(`.channel-card[data-channel-id="${channel.id}"]`);
    await expect(card.locator('[data-field="callback-url"]').textContent()).resolves.toMatch(/\/webhooks\/meta$/);
    await card.locator('details.edit-details > summary').click();
    const edit = card.locator('form[data-edit-kind="facebook"]');
    await expect(edit.locator('[name="pageId"]').inputValue()).resolves.toBe('555000111');
    await expect(edit.locator('[name="pageToken"]').inputValue()).resolves.toBe('');
    await edit.locator('[name="name"]').fill('Facebook Filiale Mitte');
    await Promise.all([page.waitForLoadState('load'), edit.locator('button[data-action="save-settings"]').click()]);
    await card.locator('h2:text-is("Facebook Filiale Mitte")').waitFor();
  });
});
