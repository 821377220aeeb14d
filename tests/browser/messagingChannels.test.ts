/**
 * Messaging channels as an agent sees them, in headless Chromium: for each channel an inbound message
 * arrives in the inbox, the agent answers in the console, and the reply reaches the (fake or real local) server.
 */
import type { Page } from 'playwright-core';
import { makeUser } from '../factories/factories';
import { makeEmailChannel, makeTelegramChannel, makeWhatsappChannel } from '../factories/messagingChannels';
import { startDovecot } from '../support/dovecot';
import { startSmtpSink } from '../support/smtpSink';
import { startFakeTelegram, type FakeTelegram } from '../fakes/fakeTelegramServer';
import { pollChannelOnce } from '../../server/domain/channels/polling/pollChannel';
import { inboundText, newWamid, postSignedWhatsapp, startFakeMeta, statusUpdate, type FakeMeta } from '../fakes/fakeMetaServer';
import { eventStreamOpen, startBrowser, type BrowserSession, screenshot, signInAs } from '../support/browser';
import { startTestApp, type TestApp } from '../support/testApp';

jest.setTimeout(60_000);

let app: TestApp;
let browser: BrowserSession;
let meta: FakeMeta;
let tg: FakeTelegram;

beforeAll(async () => {
  [app, browser, meta, tg] = await Promise.all([
    startTestApp({ workers: true }),
    startBrowser(),
    startFakeMeta({ accessToken: 'EAAG-browser' }),
    startFakeTelegram(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await meta?.close();
  await tg?.close();
  await app?.stop();
});

async function agentPage(): Promise<Page> {
  const page = await browser.newPage({ locale: 'de-DE', viewport: { width: 1280, height: 900 } });
  await signInAs(page, app.url, await makeUser(app.services.db, { role: 'agent', locale: 'de', name: 'Anna Agent' }));
  return page;
}

/** Opens the conversation from the inbox row once the message has arrived, and types and sends a reply. */
async function answerFromInbox(page: Page, conversationId: string, text: string) {
  const row = page.locator(`[data-conversation-id="${conversationId}"]`);
  await row.waitFor({ timeout: 15_000 });
  await Promise.all([page.waitForURL(new RegExp(`/inbox/${conversationId}`)), row.locator('a').first().click()]);
  await page.locator('#conversation-main').waitFor();
  await eventStreamOpen(page);
  await page.fill('#reply-text', text);
  await page.click('form.reply button[type="submit"]');
  await page.locator('#thread .msg-outbound [data-delivery="sent"]').waitFor({ timeout: 15_000 });
}

const conversationOf = async (channelId: string, externalId: string) => {
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
};

describe('WhatsApp', () => {
  it('when a customer writes on WhatsApp, then the message shows in the inbox, the reply reaches the Graph API, and the read receipt shows live', async () => {
    const ch = await makeWhatsappChannel(app.services.db, app.services.secretBox, {
      name: 'WhatsApp Service',
      accessToken: 'EAAG-browser',
      graphBaseUrl: meta.baseUrl,
    });
    const page = await agentPage();
    await eventStreamOpen(page);
    const wamid = newWamid();
    const body = JSON.stringify(inboundText(ch.phoneNumberId, 'Hallo, meine Lieferung fehlt noch.', { id: wamid, name: 'Lena Schulz', from: '4915233344455' }));
    const res = await postSignedWhatsapp(app.url, body, ch.appSecret);
    expect(res.status).toBe(200);
    const conversationId = await conversationOf(ch.channelId, wamid);
    await page.locator(`[data-conversation-id="${conversationId}"]`).waitFor({ timeout: 15_000 });
    await screenshot(page, 'messaging-whatsapp-inbox');

    const before = meta.sent.length;
    await answerFromInbox(page, conversationId, 'Hallo Lena, wir prüfen das sofort.');
    const [sent] = (await meta.waitForSent(before + 1)).slice(before);
    expect(sent!.body).toMatchObject({ to: '4915233344455', type: 'text', text: { body: 'Hallo Lena, wir prüfen das sofort.' } });
    await expect(page.locator('#reply-window').textContent()).resolves.toContain('24-Stunden-Fenster');

    const receipt = JSON.stringify(statusUpdate(ch.phoneNumberId, sent!.wamid, 'read'));
    await postSignedWhatsapp(app.url, receipt, ch.appSecret);
    await page.locator('#thread .msg-outbound [data-receipt="read"]').waitFor({ timeout: 15_000 });
    await expect(page.locator('#thread .msg-outbound [data-receipt="read"]').textContent()).resolves.toBe('Gelesen');
    await screenshot(page, 'messaging-whatsapp-conversation');
  });
});

describe('Telegram', () => {
  it('when a customer writes the bot, then the poll brings it into the inbox and the reply reaches sendMessage threaded to it', async () => {
    const ch = await makeTelegramChannel(app.services.db, app.services.secretBox, tg, { name: 'Telegram Bot' });
    const page = await agentPage();
    const { chatId, messageId } = tg.pushPrivateText(
      { id: 777123, first_name: 'Jana', last_name: 'Fischer', username: 'janaf' },
      'Kann ich meine Adresse noch ändern?',
    );
    await pollChannelOnce(app.services, ch.channelId);
    const conversationId = await conversationOf(ch.channelId, `${chatId}:${messageId}`);
    await page.reload();
    await answerFromInbox(page, conversationId, 'Ja, schreiben Sie uns einfach die neue Adresse.');
    const [sent] = await tg.waitForSent(1);
    expect(sent).toMatchObject({
      chat_id: String(chatId),
      text: 'Ja, schreiben Sie uns einfach die neue Adresse.',
      reply_parameters: { message_id: messageId },
    });
    await screenshot(page, 'messaging-telegram-conversation');
  });
});

describe('E-mail', () => {
  it('when a customer mails the support address, then the poll brings it from IMAP into the inbox and the reply reaches the SMTP server', async () => {
    const [imap, smtp] = await Promise.all([startDovecot(), startSmtpSink()]);
    try {
      const ch = await makeEmailChannel(app.services.db, app.services.secretBox, { imap, smtp }, { name: 'Support-Postfach' });
      const page = await agentPage();
      const messageId = `<browser.${Date.now()}@kunde.example>`;
      await imap.append(
        [
          'From: Karl Meier <karl@kunde.example>',
          'To: support@example.test',
          'Subject: Retoure Auftrag 5521',
          `Message-ID: ${messageId}`,
          'Content-Type: text/plain; charset=utf-8',
          '',
          'Wie schicke ich die Ware zurück?',
        ].join('\r\n'),
      );
      await pollChannelOnce(app.services, ch.channelId);
      const conversationId = await conversationOf(ch.channelId, messageId);
      await page.reload();
      await answerFromInbox(page, conversationId, 'Das Retourenetikett kommt gleich per Mail.');
      const [got] = await smtp.waitFor(1);
      expect(got!.mail.subject).toMatch(/^\[#\d+\] Re: Retoure Auftrag 5521$/);
      expect(got!.mail.inReplyTo).toBe(messageId);
      await screenshot(page, 'messaging-email-conversation');
    } finally {
      await imap.stop();
      await smtp.close();
    }
  });
});
