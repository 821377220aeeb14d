/**
 * The case workflow as people see it, in headless Chromium: assign → reply with a canned response → answered →
 * closed → reopened by a new inbound message; two agents colliding on one conversation; an auditor tracing the
 * case to the users who acted.
 */
import type { Page } from 'playwright-core';
import request from 'supertest';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { eventStreamOpen, replyFormSettled, startBrowser, type BrowserSession, screenshot, signInAs } from '../support/browser';
import { startTestApp, type TestApp } from '../support/testApp';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhookReceiver';

jest.setTimeout(90_000);

let app: TestApp;
let hooks: WebhookReceiver;
let browser: BrowserSession;
let channel: Awaited<ReturnType<typeof makeApiChannel>>;
type Made = Awaited<ReturnType<typeof makeUser>>;
let agent: Made;
let colleague: Made;
let manager: Made;
let auditor: Made;
const shortcut = `thanks${Date.now().toString(36)}`;

beforeAll(async () => {
  [app, hooks, browser] = await Promise.all([startTestApp({ workers: true }), startWebhookReceiver(), startBrowser()]);
  const db = app.services.db;
  channel = await makeApiChannel(db, app.services.secretBox, { webhookUrl: hooks.url, name: 'Webshop API' });
  agent = await makeUser(db, { role: 'agent', name: 'Lena Vogt' });
  colleague = await makeUser(db, { role: 'agent', name: 'Paul Weber' });
  manager = await makeUser(db, { role: 'manager', name: 'Jonas Berger' });
  auditor = await makeUser(db, { role: 'auditor', name: 'Miriam Kaya' });
  const canned = await request(app.url)
    .post('/api/v1/canned-responses')
    .auth(manager.token, { type: 'bearer' })
    .send({ title: 'Thank you', shortcut, body: 'Hello {{contact.name}}, thanks for case #{{case.number}}! {{agent.firstName}}', language: 'en' });
  expect(canned.status).toBe(201);
});
afterAll(async () => {
  await browser?.close();
  await hooks?.close();
  await app?.stop();
});

async function newPage(user: Made): Promise<Page> {
  const page = await browser.newPage({ locale: 'en-GB', viewport: { width: 1280, height: 900 } });
  await signInAs(page, app.url, user);
  return page;
}

async function ingest(overrides: Parameters<typeof inboundPost>[0] = {}) {
  const res = await request(app.url)
    .post(`/api/v1/channels/${channel.channelId}/messages`)
    .auth(channel.ingestToken, { type: 'bearer' })
    .send(inboundPost(overrides));
  expect(res.status).toBe(201);
  return res.body as { conversationId: string; caseNumber: string; messageId: string };
}

async function openConversation(page: Page, id: string) {
  await page.goto(`${app.url}/conversations/${id}`);
  await eventStreamOpen(page);
}

const status = (page: Page) => page.locator('#conv-status');

describe('an agent working a case from start to finish', () => {
  let page: Page;
  let conversationId: string;
  let caseNumber: string;
  let firstExternalId: string;

  beforeAll(async () => {
    const post = inboundPost({ text: 'Where is my order?', author: { externalId: `erika-${Date.now()}`, name: 'Erika Mustermann', handle: 'erika' } });
    firstExternalId = post.externalId;
    ({ conversationId, caseNumber } = await ingest(post));
    page = await newPage(agent);
    await openConversation(page, conversationId);
  });

  it('when the agent clicks "Assign to me", then the case is assigned to them', async () => {
    await expect(status(page).textContent()).resolves.toBe('New');
    await page.click('#assign-me');
    await page.waitForFunction(() => document.querySelector('#conv-status')?.textContent === 'Assigned');
    await expect(page.locator('.facts').textContent()).resolves.toContain('Lena Vogt');
  });

  it('when the reply is too long for the channel, then the counter says so and Send is disabled', async () => {
    await page.fill('#reply-text', 'x'.repeat(10_001));
    await expect(page.locator('#reply-send').isDisabled()).resolves.toBe(true);
    await expect(page.locator('#reply-blocked').textContent()).resolves.toContain('10000 characters at most');
    await expect(page.locator('#reply-counter').textContent()).resolves.toBe('10001 / 10000');
    await page.fill('#reply-text', '');
  });

  it('when the agent types the shortcut and picks the canned response, then the variables are filled in and the reply is sent and counted', async () => {
    await page.locator('#reply-text').pressSequentially(`/${shortcut.slice(0, 6)}`);
    const pick = page.locator(`.canned-pick[data-shortcut="${shortcut}"]`);
    await pick.waitFor();
    await pick.click();
    const expected = `Hello Erika Mustermann, thanks for case #${caseNumber}! Lena`;
    await page.waitForFunction((text) => (document.querySelector('#reply-text') as HTMLTextAreaElement | null)?.value === text, expected);
    await expect(page.locator('#reply-send').isDisabled()).resolves.toBe(false);
    await screenshot(page, 'workflow-canned-inserted');
    const before = hooks.received.length;
    await page.click('#reply-send');
    // the live header may say "Answered" before the reply's own answer has come back and replaced the page's forms
    await page.waitForFunction(() => document.querySelector('#conv-status')?.textContent === 'Answered');
    await replyFormSettled(page);
    const [hook] = (await hooks.waitFor(before + 1)).slice(before);
    expect(hook!.json.text).toBe(expected);
    const canned = await app.services.db.selectFrom('cannedResponses').select('usageCount').where('shortcut', '=', shortcut).executeTakeFirstOrThrow();
    expect(canned.usageCount).toBe(1);
  });

  it('when the agent closes the case with a reason, then it is closed and the reason shows', async () => {
    await page.fill('input[name="reason"]', 'Order found');
    await page.click('#close-conv');
    await page.waitForFunction(() => document.querySelector('#conv-status')?.textContent === 'Closed');
    await expect(page.locator('#conv-close-reason').textContent()).resolves.toContain('Order found');
  });

  it('when the customer writes again, then the thread updates live and the case is reopened as assigned', async () => {
    await ingest({ text: 'One more question: can I change the address?', inReplyToExternalId: firstExternalId });
    await page.locator('.msg-text', { hasText: 'change the address' }).waitFor();
    await openConversation(page, conversationId);
    await expect(status(page).textContent()).resolves.toBe('Assigned');
    await screenshot(page, 'workflow-reopened');
  });
});

describe('two agents replying to the same conversation', () => {
  it('when both type and send, then the second sees who is replying and is refused with a clear message; only one reply goes out', async () => {
    const { conversationId } = await ingest({ text: 'Is anyone there?' });
    const [lena, paul] = await Promise.all([newPage(agent), newPage(colleague)]);
    await Promise.all([openConversation(lena, conversationId), openConversation(paul, conversationId)]);

    await lena.locator('#reply-text').pressSequentially('Hi, Lena here – ');
    // "replying" lasts 8 s after Lena's last keystroke, which a loaded machine can outlast: she goes on typing (a
    // keystroke at most every 3 s is signalled) until Paul sees it, as an agent at work would
    const lenaReplying = paul.locator('#presence', { hasText: 'Lena Vogt is replying' });
    for (let i = 0; !(await lenaReplying.isVisible()); i++) {
      if (i === 8) throw new Error('Paul never saw that Lena is replying');
      await lenaReplying.waitFor({ timeout: 3_100 }).catch(() => lena.locator('#reply-text').pressSequentially(' '));
    }
    await screenshot(paul, 'workflow-presence');

    await paul.fill('#reply-text', 'Hi, this is Paul.');
    await lena.locator('#reply-text').pressSequentially('I am on it.');
    await lena.click('#reply-send');
    await lena.waitForFunction(() => document.querySelector('#conv-status')?.textContent === 'Answered');
    await paul.click('#reply-send');
    await paul.locator('.reply .alert', { hasText: 'Lena Vogt replied meanwhile — read their reply first' }).waitFor();
    // The refused draft is kept for Paul to adapt.
    await expect(paul.locator('#reply-text').inputValue()).resolves.toBe('Hi, this is Paul.');
    await screenshot(paul, 'workflow-collision');
    const outbound = await app.services.db
      .selectFrom('messages')
      .select(['authorUserId'])
      .where('conversationId', '=', conversationId)
      .where('direction', '=', 'outbound')
      .execute();
    expect(outbound).toEqual([{ authorUserId: agent.id }]);
  });
});

describe('an auditor tracing a case', () => {
  it('when the auditor opens the case, then its timeline names everyone who acted, and the audit log exports it as CSV (audited)', async () => {
    const { conversationId } = await ingest({ text: 'Please help' });
    const lena = await newPage(agent);
    await openConversation(lena, conversationId);
    await lena.click('#assign-me');
    await lena.waitForFunction(() => document.querySelector('#conv-status')?.textContent === 'Assigned');
    await lena.fill('#note-text', '@paul can you check the warehouse?');
    await lena.click('#add-note');
    await lena.locator('.msg-note', { hasText: 'warehouse' }).waitFor();

    const paul = await newPage(colleague);
    await paul.locator('#bell .bell-count').waitFor();
    await expect(paul.locator('#bell .bell-count').textContent()).resolves.toBe('1');
    await openConversation(paul, conversationId);
    await paul.fill('input[name="reason"]', 'Checked');
    await paul.click('#close-conv');
    await paul.waitForFunction(() => document.querySelector('#conv-status')?.textContent === 'Closed');

    const miriam = await newPage(auditor);
    await openConversation(miriam, conversationId);
    await expect(miriam.locator('#reply-text').count()).resolves.toBe(0);
    await expect(miriam.locator('#assign-me').count()).resolves.toBe(0);
    const rows = miriam.locator('#timeline li');
    const entries = await rows.evaluateAll((lis) =>
      lis.map((li) => ({ action: li.getAttribute('data-action'), actor: li.querySelector('.tl-actor')?.textContent })),
    );
    expect(entries).toEqual(
      expect.arrayContaining([
        { action: 'conversation.created', actor: `channel:Webshop API` },
        { action: 'conversation.assigned', actor: agent.email },
        { action: 'note.added', actor: agent.email },
        { action: 'conversation.status_changed', actor: colleague.email },
      ]),
    );
    await screenshot(miriam, 'workflow-auditor-timeline');

    await miriam.goto(`${app.url}/audit?subjectId=${conversationId}&scope=all`);
    await expect(miriam.locator('#audit-table tbody tr').count()).resolves.toBeGreaterThanOrEqual(5);
    const href = await miriam.locator('#audit-export').getAttribute('href');
    expect(href).toBe(`/audit/export.csv?subjectId=${conversationId}&scope=all`);
    const csv = await miriam.request.get(`${app.url}${href}`);
    expect(csv.status()).toBe(200);
    const text = await csv.text();
    expect(text).toContain(`conversation.status_changed`);
    expect(text).toContain(colleague.email);
    const exported = await app.services.db
      .selectFrom('auditEvents')
      .select(['actorId', 'after'])
      .where('action', '=', 'audit.exported')
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirstOrThrow();
    expect(exported).toMatchObject({ actorId: auditor.id, after: { filters: { subjectId: conversationId, scope: 'all' } } });
  });
});

describe('bulk actions and stale forms in the console', () => {
  it('when an agent selects two conversations and closes them in bulk, then it asks first, and both are closed, each with its own audit event', async () => {
    const tag = `bulk${Date.now().toString(36)}`;
    const a = await ingest({ text: 'bulk one' });
    const b = await ingest({ text: 'bulk two' });
    for (const id of [a.conversationId, b.conversationId]) {
      await request(app.url)
        .post(`/api/v1/conversations/${id}/tags`)
        .auth(agent.token, { type: 'bearer' })
        .send({ add: [tag] });
    }
    const page = await newPage(agent);
    await page.goto(`${app.url}/inbox?status=all&tag=${tag}`);
    await eventStreamOpen(page);
    await expect(page.locator('li.row').count()).resolves.toBe(2);
    for (const id of [a.conversationId, b.conversationId]) await page.check(`[data-conversation-id="${id}"] input.row-check`);
    await page.selectOption('#bulk-action', 'close');
    await page.fill('#bulk-form input[name="reason"]', 'spam wave');
    await page.click('#bulk-apply');
    await page.locator('#bulk-result', { hasText: 'Really close 2 conversations?' }).waitFor(); // closing asks first
    await page.click('#bulk-confirm');
    await page.locator('#bulk-result', { hasText: '2 done' }).waitFor();
    expect(await page.locator('input.row-check:checked').count()).toBe(0); // the ticks were for that action
    const rows = await app.services.db
      .selectFrom('conversations')
      .select(['status', 'closeReason'])
      .where('id', 'in', [a.conversationId, b.conversationId])
      .execute();
    expect(rows).toEqual([
      { status: 'closed', closeReason: 'spam wave' },
      { status: 'closed', closeReason: 'spam wave' },
    ]);
    const events = await app.services.db
      .selectFrom('auditEvents')
      .select('subjectId')
      .where('action', '=', 'conversation.status_changed')
      .where('subjectId', 'in', [a.conversationId, b.conversationId])
      .execute();
    expect(events.map((e) => e.subjectId).sort()).toEqual([a.conversationId, b.conversationId].sort());
  });

  it('when a colleague changed the case after the page was loaded, then an action shows "changed meanwhile" and changes nothing', async () => {
    const { conversationId } = await ingest({ text: 'stale form' });
    const page = await newPage(agent);
    await openConversation(page, conversationId);
    // the agent is already typing in the action bar when the colleague acts: the live refresh leaves the bar alone
    await page.fill('input[name="reason"]', 'done');
    await request(app.url).post(`/api/v1/conversations/${conversationId}/assign`).auth(manager.token, { type: 'bearer' }).send({ assigneeId: manager.id });
    await page.click('#close-conv');
    await page.locator('#action-error', { hasText: 'changed meanwhile by Jonas Berger' }).waitFor();
    const row = await app.services.db.selectFrom('conversations').select(['status']).where('id', '=', conversationId).executeTakeFirstOrThrow();
    expect(row.status).toBe('assigned');
  });
});

describe('the conversation page at desktop and phone width', () => {
  it('when a German agent opens a case at 1440 px and at 390 px and saves an empty note, then the page lays out and the refusal is German at the note', async () => {
    const german = await makeUser(app.services.db, { role: 'agent', name: 'Sabine Kraus', locale: 'de' });
    const { conversationId } = await ingest({ text: 'Meine Bestellung ist beschädigt angekommen. Was nun?' });
    for (const width of [1440, 390]) {
      const page = await browser.newPage({ locale: 'de-DE', viewport: { width, height: 900 } });
      await signInAs(page, app.url, german);
      await openConversation(page, conversationId);
      await page.locator('#bell').waitFor();
      await page.evaluate(() => document.querySelector('#note-text')?.removeAttribute('required'));
      await page.fill('#note-text', '   ');
      await page.click('#add-note');
      await page.locator('#note-error .alert', { hasText: 'Bitte prüfen Sie die markierten Angaben.' }).waitFor();
      await expect(page.locator('#note-text-error').textContent()).resolves.toBe('Bitte ausfüllen.');
      await expect(page.locator('#note-text').getAttribute('aria-invalid')).resolves.toBe('true');
      // The swapped-in fragment still listens to the page's one live stream.
      await eventStreamOpen(page);
      expect(await page.evaluate(() => document.querySelectorAll('[sse-connect]').length)).toBe(1);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      await screenshot(page, `conversation-de-${width}`);
    }
  });
});
