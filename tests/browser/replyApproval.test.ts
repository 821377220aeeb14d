/**
 * Four-eyes in the console, in German: a junior's reply waits for approval, the approver finds it in the
 * approvals queue, edits and approves it, the customer (the API channel's webhook) receives the edited text,
 * and the audit page names both people.
 */
import request from 'supertest';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { screenshot, startBrowser, type BrowserSession, signInAs } from '../support/browser';
import { startTestAppWithReceiver, type TestApp } from '../support/testApp';
import type { WebhookReceiver } from '../support/webhookReceiver';

jest.setTimeout(120_000);

let app: TestApp;
let hooks: WebhookReceiver;
let stop: () => Promise<void>;
let browser: BrowserSession;
beforeAll(async () => {
  [{ app, hooks, stop }, browser] = await Promise.all([startTestAppWithReceiver(), startBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await stop?.();
});

it("when a junior's reply waits for approval and the approver edits and approves it, then the customer receives the edited text and the audit shows both people", async () => {
  const db = app.services.db;
  const channel = await makeApiChannel(db, app.services.secretBox, { name: 'Webshop-API', webhookUrl: hooks.url });
  const junior = await makeUser(db, { role: 'agent', locale: 'de', name: 'Jana Neu' });
  const lead = await makeUser(db, { role: 'manager', locale: 'de', name: 'Jonas Berger' });
  await db.updateTable('users').set({ repliesNeedApproval: true }).where('id', '=', junior.id).execute();
  const post = await request(app.url)
    .post(`/api/v1/channels/${channel.channelId}/messages`)
    .auth(channel.ingestToken, { type: 'bearer' })
    .send(inboundPost({ text: 'Mein Paket ist beschädigt angekommen.' }))
    .expect(201);
  const conversationId: string = post.body.conversationId;

  // the junior answers; the thread shows the reply as waiting for approval, nothing goes out
  const juniorPage = await browser.newPage({ locale: 'de-DE', viewport: { width: 1440, height: 900 } });
  await signInAs(juniorPage, app.url, junior);
  await juniorPage.goto(`${app.url}/conversations/${conversationId}`);
  await juniorPage.fill('#reply-text', 'Das tut uns leid.');
  await juniorPage.click('#reply-send');
  await juniorPage.locator('[data-delivery="pending_approval"]').waitFor();
  expect(await juniorPage.locator('[data-delivery="pending_approval"]').innerText()).toContain('Wartet auf Freigabe');
  expect(await juniorPage.locator('a[href="/approvals"]').count()).toBe(0);

  // the approver sees the count, opens the queue, edits the text and approves
  const leadPage = await browser.newPage({ locale: 'de-DE', viewport: { width: 1440, height: 900 } });
  await signInAs(leadPage, app.url, lead);
  await leadPage.locator('#approval-count', { hasText: '1' }).waitFor();
  await leadPage.click('a[href="/approvals"]');
  const card = leadPage.locator('.approval-card', { hasText: 'Jana Neu' });
  expect(await card.locator('textarea[name="text"]').inputValue()).toBe('Das tut uns leid.');
  expect(await screenshot(leadPage, 'approvals-de-1440')).toMatch(/\.png$/);
  await leadPage.setViewportSize({ width: 390, height: 900 });
  expect(await screenshot(leadPage, 'approvals-de-390')).toMatch(/\.png$/);
  await leadPage.setViewportSize({ width: 1440, height: 900 });
  const edited = 'Das tut uns sehr leid! Wir schicken Ihnen heute kostenlos Ersatz.';
  await card.locator('textarea[name="text"]').fill(edited);
  await card.locator('[data-action="approve"]').click();
  await leadPage.locator('.notice', { hasText: 'Freigegeben' }).waitFor();

  // the customer receives the edited text, once
  const [hook] = await hooks.waitFor(1);
  expect(hook!.json.text).toBe(edited);
  await juniorPage.goto(`${app.url}/conversations/${conversationId}`);
  await juniorPage.locator('[data-delivery="sent"]').waitFor();
  expect(await juniorPage.locator('.thread').innerText()).toContain('freigegeben von Jonas Berger');

  // the audit page names both people
  await leadPage.goto(`${app.url}/audit`);
  const sentences = await leadPage.locator('#audit-table').innerText();
  expect(sentences).toMatch(/Jana Neu hat in #\S+ eine Antwort zur Freigabe eingereicht/);
  expect(sentences).toMatch(/Jonas Berger hat die Antwort von Jana Neu in #\S+ vor der Freigabe bearbeitet/);
  expect(sentences).toMatch(/Jonas Berger hat die Antwort von Jana Neu in #\S+ freigegeben/);
  expect(hooks.received.filter((h) => h.json.messageId === hook!.json.messageId)).toHaveLength(1);
});
