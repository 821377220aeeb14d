/**
 * A manager connects one channel of every kind in the console, against the fake servers (X, Meta, Telegram),
 * a local webhook receiver, and a real Dovecot + SMTP sink, and presses "test connection": each answers in
 * words that it works; then the remote side fails and the same button says what went wrong. A German manager
 * edits the X channel through its prefilled form; the stored token is kept and the test still works.
 */
import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { makeUser } from '../factories/factories';
import { startFakeMeta, type FakeMeta } from '../fakes/fakeMetaServer';
import { startFakeTelegram, type FakeTelegram } from '../fakes/fakeTelegramServer';
import { startFakeXServer, type FakeXServer } from '../fakes/fakeXServer';
import { screenshot, signInAs, startBrowser, type BrowserSession } from '../support/browser';
import { startDovecot, type Dovecot } from '../support/dovecot';
import { startSmtpSink, type SmtpSink } from '../support/smtpSink';
import { startTestApp, type TestApp } from '../support/testApp';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhookReceiver';

jest.setTimeout(120_000);

const AXE = readFileSync(path.resolve(__dirname, '../../node_modules/axe-core/axe.min.js'), 'utf8');

let app: TestApp;
let browser: BrowserSession;
let x: FakeXServer;
let meta: FakeMeta;
let telegram: FakeTelegram;
let hooks: WebhookReceiver;
let dovecot: Dovecot;
let smtp: SmtpSink;
let page: Page;
/** The remote sides a test stops itself (to see the failure); afterAll stops only the others. */
const stopped = new Set<'meta' | 'telegram' | 'dovecot'>();
const stop = async (which: 'meta' | 'telegram' | 'dovecot') => {
  stopped.add(which);
  await { meta: () => meta.close(), telegram: () => telegram.close(), dovecot: () => dovecot.stop() }[which]();
};

beforeAll(async () => {
  // No workers: nothing polls the fakes between the test's own calls.
  [app, browser, x, meta, telegram, hooks, dovecot, smtp] = await Promise.all([
    startTestApp(),
    startBrowser(),
    startFakeXServer(),
    startFakeMeta({ accessToken: 'EAAG-console' }),
    startFakeTelegram(),
    startWebhookReceiver(),
    startDovecot(),
    startSmtpSink(),
  ]);
  const manager = await makeUser(app.services.db, { role: 'manager', locale: 'en' });
  page = await browser.newPage({ locale: 'en-GB', viewport: { width: 1440, height: 900 } });
  await signInAs(page, app.url, manager);
});
afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await Promise.allSettled([x?.close(), hooks?.close(), smtp?.close(), ...(['meta', 'telegram', 'dovecot'] as const).filter((w) => !stopped.has(w)).map(stop)]);
});

/** Fills the kind's connect form on the channels page and sends it; returns the new channel's card. */
async function connect(kind: string, fields: Record<string, string>) {
  await page.goto(`${app.url}/settings/channels`);
  const form = page.locator(`form[data-kind="${kind}"]`);
  for (const [name, value] of Object.entries(fields)) {
    const field = form.locator(`[name="${name}"]`);
    if ((await field.evaluate((e) => e.tagName)) === 'SELECT') await field.selectOption(value);
    else await field.fill(value);
  }
  await Promise.all([page.waitForLoadState('load'), form.locator('button[type="submit"]').click()]);
  const card = page.locator('.channel-card[data-channel-id]', { has: page.locator(`h2:text-is("${fields.name}")`) });
  await card.waitFor();
  return card;
}

/** Presses "test connection" on the card and returns the answer shown there. */
async function testConnection(card: ReturnType<Page['locator']>, on = page) {
  const page = on;
  const id = await card.getAttribute('data-channel-id');
  const result = page.locator(`#test-${id} .connection-test`);
  const before = (await result.count()) ? await result.textContent() : null;
  await card.locator('button[data-action="test"]').click();
  await page.waitForFunction(
    ([sel, old]) => {
      const el = document.querySelector(sel!);
      return !!el && el.textContent !== old;
    },
    [`#test-${id} .connection-test`, before] as const,
  );
  return { state: await result.getAttribute('data-test-result'), text: (await result.textContent())!.replace(/\s+/g, ' ').trim() };
}

describe('a manager connects every kind of channel and tests each connection', () => {
  it('when an API channel is created, then its secrets are shown once and the webhook answers the test; a failing webhook is named', async () => {
    const card = await connect('api', { name: 'Webshop API', webhookUrl: hooks.url });
    await expect(page.locator('#shown-secrets [data-secret="ingestToken"]').inputValue()).resolves.toMatch(/^rlc_/);
    await expect(page.locator('#shown-secrets [data-secret="webhookSecret"]').inputValue()).resolves.toMatch(/^rlw_/);
    expect(await testConnection(card)).toEqual({
      state: 'ok',
      text: expect.stringContaining('Connection works: The webhook answered HTTP 200 to a signed ping'),
    });
    expect(hooks.received.at(-1)?.json).toMatchObject({ event: 'ping' });
    hooks.failNext(503);
    expect(await testConnection(card)).toEqual({ state: 'failed', text: expect.stringMatching(/^Connection failed: .*503/) });
  });

  it('when an X account is connected, then the test reads its mentions; a refused token is said in words', async () => {
    const card = await connect('x', { name: 'X Care', userId: String(randomInt(1e7, 9e7)), apiBaseUrl: x.baseUrl, bearerToken: x.bearerToken });
    expect(await testConnection(card)).toEqual({ state: 'ok', text: expect.stringContaining('Connection works: X answered: the mentions of account') });
    x.failNext('mentions', { status: 401, detail: 'Unauthorized' });
    expect(await testConnection(card)).toEqual({ state: 'failed', text: expect.stringContaining('Connection failed: X API 401') });
  });

  it('when a German manager edits the X channel through its form, then the form shows the settings without secrets, the change is saved, the token is kept, and the page is axe clean', async () => {
    const before = await app.services.db.selectFrom('channels').select(['id', 'credentialsEnc']).where('name', '=', 'X Care').executeTakeFirstOrThrow();
    const de = await browser.newPage({ locale: 'de-DE', viewport: { width: 1440, height: 900 } });
    await signInAs(de, app.url, await makeUser(app.services.db, { role: 'manager', locale: 'de' }));
    await de.goto(`${app.url}/settings/channels`);
    const card = de.locator(`.channel-card[data-channel-id="${before.id}"]`);
    await card.locator('details.edit-details > summary', { hasText: 'Einstellungen und Zugangsdaten bearbeiten' }).click();
    const form = card.locator('form[data-edit-kind="x"]');
    await expect(form.locator('[name="apiBaseUrl"]').inputValue()).resolves.toBe(x.baseUrl);
    await expect(form.locator('[name="bearerToken"]').inputValue()).resolves.toBe('');
    await expect(form.locator('[name="searches"]').count()).resolves.toBe(0);
    await de.evaluate(AXE);
    const violations = await de.evaluate(async () => {
      const result = await (window as unknown as { axe: { run(): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe.run();
      return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    });
    expect(violations).toEqual([]);
    await screenshot(de, 'channels-edit-x-de');
    await form.locator('[name="name"]').fill('X Kundenservice');
    await form.locator('[name="handle"]').fill('@kundenservice');
    await Promise.all([de.waitForLoadState('load'), form.locator('button[data-action="save-settings"]').click()]);
    await card.locator('h2:text-is("X Kundenservice")').waitFor();
    const after = await app.services.db.selectFrom('channels').select(['settings', 'credentialsEnc']).where('id', '=', before.id).executeTakeFirstOrThrow();
    expect(after.settings).toMatchObject({ handle: 'kundenservice', apiBaseUrl: x.baseUrl });
    expect(after.credentialsEnc).toBe(before.credentialsEnc);
    expect((await testConnection(card, de)).state).toBe('ok');

    // Webhook mode needs the consumer secret: refused at that field in German, then saved with the user tokens.
    const openEdit = () => card.locator('details.edit-details > summary', { hasText: 'Einstellungen und Zugangsdaten bearbeiten' }).click();
    await openEdit();
    await form.locator('[name="webhook"]').selectOption('true');
    await Promise.all([de.waitForLoadState('load'), form.locator('button[data-action="save-settings"]').click()]);
    await expect(form.locator('[name="appSecret"]').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(form.locator('.field-error').textContent()).resolves.toContain('Für den Webhook-Modus nötig');
    for (const [name, value] of Object.entries({
      appKey: 'consumer-key',
      appSecret: 'consumer-secret',
      accessToken: x.accessToken,
      accessSecret: 'access-secret',
    }))
      await form.locator(`[name="${name}"]`).fill(value);
    await form.locator('[name="webhook"]').selectOption('true');
    await Promise.all([de.waitForLoadState('load'), form.locator('button[data-action="save-settings"]').click()]);
    await expect(card.locator('[data-field="callback-url"]').textContent()).resolves.toBe(`${app.services.config.baseUrl}/webhooks/x`);
    await expect(card.locator('[data-field="webhook-events"]').textContent()).resolves.toBe('0 seit dem 1. (UTC)');
    await openEdit();
    await expect(form.locator('[name="webhook"]').inputValue()).resolves.toBe('true');
    await screenshot(de, 'channels-x-webhook-de');
    await de.close();
  });

  it('when a WhatsApp number is connected, then its verify token is shown once and the test names the number; an unreachable Graph API is said', async () => {
    const card = await connect('whatsapp', {
      name: 'WhatsApp Service',
      phoneNumberId: String(randomInt(1e9, 9e9)),
      graphBaseUrl: meta.baseUrl,
      accessToken: 'EAAG-console',
      appSecret: 'meta-app-secret',
    });
    await expect(page.locator('#shown-secrets [data-secret="verifyToken"]').count()).resolves.toBe(1);
    expect(await testConnection(card)).toEqual({
      state: 'ok',
      text: expect.stringContaining('WhatsApp answered: phone number +49 30 1234567 (Replyline Test)'),
    });
    await stop('meta');
    expect(await testConnection(card)).toEqual({ state: 'failed', text: expect.stringMatching(/^Connection failed: .*connection refused/i) });
  });

  it('when a Telegram bot is connected, then the test names the bot; an unreachable Bot API is said', async () => {
    const card = await connect('telegram', {
      name: 'Telegram Hilfe',
      botUsername: telegram.botUsername,
      botToken: telegram.token,
      apiBaseUrl: telegram.baseUrl,
    });
    expect(await testConnection(card)).toEqual({
      state: 'ok',
      text: expect.stringContaining(`Telegram answered: the token belongs to bot @${telegram.botUsername}`),
    });
    await stop('telegram');
    expect(await testConnection(card)).toEqual({ state: 'failed', text: expect.stringMatching(/^Connection failed: .*connection refused/i) });
  });

  it('when a mailbox is connected, then the test logs in to IMAP and reaches SMTP; a stopped mail server is said', async () => {
    const card = await connect('email', {
      name: 'Support-Postfach',
      address: dovecot.user,
      imapHost: dovecot.host,
      imapPort: String(dovecot.port),
      imapSecure: 'false',
      imapUser: dovecot.user,
      imapPassword: dovecot.password,
      smtpHost: smtp.host,
      smtpPort: String(smtp.port),
      smtpSecure: 'false',
    });
    expect(await testConnection(card)).toEqual({ state: 'ok', text: expect.stringContaining('IMAP answered: mailbox INBOX opened') });
    await screenshot(page, 'channels-every-kind');
    await page.evaluate(AXE);
    const violations = await page.evaluate(async () => {
      const result = await (window as unknown as { axe: { run(): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }).axe.run();
      return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    });
    expect(violations).toEqual([]);
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, 'channels-every-kind-390');
    await page.setViewportSize({ width: 1440, height: 900 });
    await stop('dovecot');
    expect(await testConnection(card)).toEqual({ state: 'failed', text: expect.stringMatching(/^Connection failed: IMAP/) });
  });
});
