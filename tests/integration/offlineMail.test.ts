/**
 * Issue 19, points 4 and 5 against the real PostgreSQL, Redis, workers and a local SMTP sink: a reply to an
 * offline-form case goes out by e-mail through the console's SMTP settings (subject, Message-ID, threading, no
 * header injection, no blind resend, a translated failure without SMTP), and the first agent reply of a
 * conversation carries the case number and the signed status link — once, not on public posts, not over the
 * channel's limit, and only where the channel's setting has it on.
 */
import request from 'supertest';
import { saveAlertSettings } from '../../server/db/repositories/alerts.repo';
import { systemActor } from '../../server/domain/audit/actor';
import { mergeContacts } from '../../server/domain/contacts/mergeContacts';
import { ingestInbound } from '../../server/domain/conversations/ingestInbound';
import { inTransaction } from '../../server/domain/effects';
import { deliverReply } from '../../server/domain/replies/deliverReply';
import { queueReply } from '../../server/domain/replies/queueReply';
import { makeUser } from '../factories/factories';
import { makeMetaChannel } from '../factories/messagingChannels';
import { makeChatSite } from '../factories/webchat';
import { csrfOfPage, signInAgent } from '../support/signIn';
import { startSmtpSink, type SmtpSink } from '../support/smtpSink';
import { startTestApp, type TestApp } from '../support/testApp';
import { until } from '../support/until';

const ORIGIN = 'https://shop.example';
let app: TestApp;
let smtp: SmtpSink;
let agent: Awaited<ReturnType<typeof makeUser>>;
let siteId: string;
let channelId: string;

let ipCounter = 0;
const db = () => app.services.db;
const smtpOn = () => saveAlertSettings(db(), { smtpHost: smtp.host, smtpPort: smtp.port, smtpSecure: false, mailFrom: 'service@replyline.test' });

async function offlineCase(email: string, lang: 'de' | 'en' = 'de') {
  const res = await request(app.url)
    .post(`/widget/v1/sites/${siteId}/offline`)
    .set('Origin', ORIGIN)
    .set('X-Forwarded-For', `198.51.100.${(ipCounter += 1)}`)
    .send({ email, text: 'Meine Bestellung 4711 fehlt.', consent: true, lang });
  expect(res.status).toBe(201);
  const c = await db().selectFrom('conversations').select(['id', 'caseNumber']).where('caseNumber', '=', res.body.caseNumber).executeTakeFirstOrThrow();
  return c;
}

async function reply(conversationId: string, text: string): Promise<string> {
  const res = await request(app.url).post(`/api/v1/conversations/${conversationId}/replies`).auth(agent.token, { type: 'bearer' }).send({ text });
  expect(res.status).toBe(202);
  return res.body.messageId;
}

const message = (id: string) => db().selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const ended = (id: string) =>
  until(`reply ${id} ended`, async () => {
    const m = await message(id);
    return m.deliveryState === 'sent' || m.deliveryState === 'failed' || m.deliveryState === 'uncertain' ? m : undefined;
  });
const mailsTo = (address: string) => smtp.received.filter((r) => r.envelopeTo.includes(address));

beforeAll(async () => {
  [app, smtp] = await Promise.all([startTestApp({ workers: true }), startSmtpSink()]);
  agent = await makeUser(db(), { role: 'agent', name: 'Lena Vogt', locale: 'de' });
  ({ siteId, channelId } = await makeChatSite(db(), { teamId: null, caseFooter: true }));
  // A chat site's channel carries the site's name (domain/chatSites/saveChatSite.ts).
  await db().updateTable('channels').set({ name: 'Schuhhaus Berg' }).where('id', '=', channelId).execute();
  await smtpOn();
});
afterAll(async () => {
  await app.stop();
  await smtp.close();
});

describe('a reply to an offline message goes out by e-mail', () => {
  it('when an agent replies, then the visitor gets a mail with the case number in the subject, a Message-ID and the footer with a working status link; the second reply threads to it without a footer', async () => {
    const c = await offlineCase('anna@kunde.example');
    const firstId = await reply(c.id, 'Guten Tag, die Bestellung ist unterwegs.');
    const [first] = await until('first mail', async () => mailsTo('anna@kunde.example').length === 1 && mailsTo('anna@kunde.example'));
    expect(first!.envelopeTo).toEqual(['anna@kunde.example']);
    expect(first!.mail.subject).toBe(`[#${c.caseNumber}] Ihre Anfrage bei Schuhhaus Berg`);
    expect(first!.mail.from?.value).toEqual([{ name: 'Schuhhaus Berg', address: 'service@replyline.test' }]);
    expect(first!.mail.messageId).toBe(`<reply-${firstId}@replyline.test>`);
    expect(first!.mail.inReplyTo).toBeUndefined();
    const link = `${app.services.config.baseUrl}/case/${c.caseNumber}?sig=`;
    expect(first!.mail.text?.trim()).toMatch(
      new RegExp(
        `^Guten Tag, die Bestellung ist unterwegs\\.\\n\\nIhre Vorgangsnummer: #${c.caseNumber}\\nStatus Ihrer Anfrage: ${link.replace(/[.?/]/g, '\\$&')}[0-9a-f]{64}$`,
      ),
    );
    const sent = await ended(firstId);
    expect(sent).toMatchObject({ deliveryState: 'sent', caseFooter: true, externalId: first!.mail.messageId });
    // the link in the mail opens the case's status page
    const statusPath = /\/case\/\d+\?sig=[0-9a-f]{64}/.exec(first!.mail.text ?? '')![0];
    const status = await request(app.url).get(statusPath);
    expect(status.status).toBe(200);
    expect(status.text).toContain(`#${c.caseNumber}`);

    const secondId = await reply(c.id, 'Die Sendungsnummer lautet 123.');
    const [, second] = await until('second mail', async () => mailsTo('anna@kunde.example').length === 2 && mailsTo('anna@kunde.example'));
    expect(second!.mail.subject).toBe(`[#${c.caseNumber}] Ihre Anfrage bei Schuhhaus Berg`);
    expect(second!.mail.inReplyTo).toBe(first!.mail.messageId);
    expect(second!.mail.references).toBe(first!.mail.messageId);
    expect(second!.mail.text?.trim()).toBe('Die Sendungsnummer lautet 123.');
    expect(await ended(secondId)).toMatchObject({ deliveryState: 'sent', caseFooter: false });
  });

  it("when the contacts of two offline cases were merged, then each case's reply still goes to the address its own form gave", async () => {
    const [anna, otto] = [await offlineCase('anna@a.example'), await offlineCase('otto@b.example')];
    const contactOf = async (id: string) =>
      (await db().selectFrom('conversations').select('contactId').where('id', '=', id).executeTakeFirstOrThrow()).contactId;
    await db()
      .transaction()
      .execute(async (tx) =>
        mergeContacts(
          tx,
          { contactId: await contactOf(anna.id), otherContactId: await contactOf(otto.id) },
          { actor: systemActor('test'), role: 'agent', user: { id: agent.id } },
        ),
      );
    await reply(otto.id, 'Für Otto');
    const [got] = await until('the mail to Otto', async () => mailsTo('otto@b.example').length === 1 && mailsTo('otto@b.example'));
    expect(got!.mail.text).toContain('Für Otto');
    expect(mailsTo('anna@a.example')).toEqual([]);
  });

  it('when the visitor wrote in English, then subject and footer are English', async () => {
    const c = await offlineCase('john@customer.example', 'en');
    await reply(c.id, 'Hello, your parcel is on its way.');
    const [got] = await until('mail', async () => mailsTo('john@customer.example').length === 1 && mailsTo('john@customer.example'));
    expect(got!.mail.subject).toBe(`[#${c.caseNumber}] Your request to Schuhhaus Berg`);
    expect(got!.mail.text).toContain(`Your case number: #${c.caseNumber}\nStatus of your request: `);
  });

  it('when the site name carries line breaks and a header, then the mail has no extra header and goes only to the visitor', async () => {
    const { siteId: otherSite, channelId: otherChannel } = await makeChatSite(db(), { teamId: null, caseFooter: true });
    await db().updateTable('channels').set({ name: 'Shop\r\nBcc: spy@evil.example\r\nX-Injected: 1' }).where('id', '=', otherChannel).execute();
    const res = await request(app.url)
      .post(`/widget/v1/sites/${otherSite}/offline`)
      .set('Origin', ORIGIN)
      .set('X-Forwarded-For', `198.51.100.${(ipCounter += 1)}`)
      .send({ email: 'eve@kunde.example', text: 'Hallo', consent: true });
    expect(res.status).toBe(201);
    const c = await db().selectFrom('conversations').select('id').where('caseNumber', '=', res.body.caseNumber).executeTakeFirstOrThrow();
    await reply(c.id, 'Antwort\r\nBcc: spy2@evil.example');
    const [got] = await until('mail', async () => mailsTo('eve@kunde.example').length === 1 && mailsTo('eve@kunde.example'));
    expect(got!.envelopeTo).toEqual(['eve@kunde.example']);
    expect(got!.mail.headers.has('bcc')).toBe(false);
    expect(got!.mail.headers.has('x-injected')).toBe(false);
    expect(got!.mail.subject).toBe(`[#${res.body.caseNumber}] Ihre Anfrage bei Shop Bcc: spy@evil.example X-Injected: 1`);
    expect(smtp.received.some((r) => r.envelopeTo.some((to) => to.includes('evil.example')))).toBe(false);
  });

  it('when a send was interrupted before the SMTP server confirmed it, then the reply is "maybe sent — check" and no second mail goes out', async () => {
    const c = await offlineCase('otto@kunde.example');
    // A reply whose worker died mid-send: claimed (sending), its outcome never recorded.
    const m = await db()
      .insertInto('messages')
      .values({
        conversationId: c.id,
        channelId,
        direction: 'outbound',
        authorName: agent.name,
        authorUserId: agent.id,
        text: 'Schon unterwegs?',
        postedAt: new Date(),
        deliveryState: 'sending',
        deliveryAttempts: 1,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const deps = { db: db(), connectors: app.services.connectors, dispatcher: app.services.dispatcher, secretBox: app.services.secretBox };
    expect(await deliverReply(deps, m.id, false)).toEqual({ outcome: 'uncertain' });
    expect((await message(m.id)).deliveryState).toBe('uncertain');
    await new Promise((r) => setTimeout(r, 300));
    expect(mailsTo('otto@kunde.example')).toEqual([]);
  });
});

describe('without SMTP settings', () => {
  afterAll(smtpOn);

  it("when no SMTP server is set up, then the reply fails with the reason in the agent's language; a reply after setting it up carries the footer", async () => {
    const c = await offlineCase('paula@kunde.example');
    await saveAlertSettings(db(), { smtpHost: null, smtpPort: null, mailFrom: null });
    const failedId = await reply(c.id, 'Wir kümmern uns darum.');
    const failed = await ended(failedId);
    expect(failed).toMatchObject({ deliveryState: 'failed', deliveryErrorKey: 'delivery.error.noConsoleSmtp', caseFooter: true });
    expect(failed.deliveryError).toMatch(/^No SMTP server is set up for the console/);
    expect(failed.deliveryAttempts).toBe(1); // failed for good at once, not retried

    const console = await signInAgent(app.url, agent);
    const page = await console.get(`/conversations/${c.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Nicht gesendet: Für die Konsole ist kein SMTP-Server eingerichtet');
    expect(page.text).toContain('mit Vorgangsnummer und Statuslink');

    await smtpOn();
    const againId = await reply(c.id, 'Wir kümmern uns darum.');
    const [got] = await until('mail', async () => mailsTo('paula@kunde.example').length === 1 && mailsTo('paula@kunde.example'));
    expect(got!.mail.text).toContain(`Ihre Vorgangsnummer: #${c.caseNumber}`);
    expect(await ended(againId)).toMatchObject({ deliveryState: 'sent', caseFooter: true });
  });
});

describe('the case number in the first answer', () => {
  it('when two agents reply at the same moment, then exactly one reply carries the footer', async () => {
    const c = await offlineCase('clara@kunde.example');
    const other = await makeUser(db(), { role: 'agent' });
    const [a, b] = await Promise.all([
      request(app.url).post(`/api/v1/conversations/${c.id}/replies`).auth(agent.token, { type: 'bearer' }).send({ text: 'Antwort A' }),
      request(app.url).post(`/api/v1/conversations/${c.id}/replies`).auth(other.token, { type: 'bearer' }).send({ text: 'Antwort B' }),
    ]);
    expect([a.status, b.status]).toEqual([202, 202]);
    const replies = await Promise.all([ended(a.body.messageId), ended(b.body.messageId)]);
    expect(replies.filter((m) => m.caseFooter)).toHaveLength(1);
    const mails = await until('two mails', async () => mailsTo('clara@kunde.example').length === 2 && mailsTo('clara@kunde.example'));
    expect(mails.filter((m) => m.mail.text?.includes('Ihre Vorgangsnummer'))).toHaveLength(1);
  });

  it('when a turned-back first reply is sent again as it came back (footer and all), then the footer is there once', async () => {
    const c = await offlineCase('rework@kunde.example');
    const first = await ended(await reply(c.id, 'Erster Entwurf'));
    expect(first.caseFooter).toBe(true);
    // as an approver's rejection leaves it: the reply never reached the customer, its text goes back to the composer
    await db().updateTable('messages').set({ deliveryState: 'rejected' }).where('id', '=', first.id).execute();
    const again = await ended(await reply(c.id, first.text));
    expect(again).toMatchObject({ caseFooter: true, text: first.text });
    expect(again.text.split('Ihre Vorgangsnummer')).toHaveLength(2);
  });

  it("when the reply and the footer together exceed the channel's limit, then the reply goes without the footer and the next one carries it", async () => {
    const c = await offlineCase('long@kunde.example');
    const text = 'x'.repeat(1990); // the website chat takes 2000 characters
    const id = await reply(c.id, text);
    const [got] = await until('mail', async () => mailsTo('long@kunde.example').length === 1 && mailsTo('long@kunde.example'));
    expect(got!.mail.text?.trim()).toBe(text);
    expect(await ended(id)).toMatchObject({ deliveryState: 'sent', caseFooter: false, text });
    expect(await ended(await reply(c.id, 'Kurz nachgereicht.'))).toMatchObject({ caseFooter: true });
  });

  it('when the reply goes under a public Facebook comment, then it has no footer; the first direct message on the same channel has it', async () => {
    const fb = await makeMetaChannel(db(), app.services.secretBox, 'facebook', { graphBaseUrl: 'http://127.0.0.1:9', caseFooter: true });
    const ingest = (externalId: string, threadKey: 'dm' | null) =>
      inTransaction(db(), app.services.dispatcher, (tx, effects) =>
        ingestInbound(
          tx,
          effects,
          {
            channelId: fb.channelId,
            externalId,
            author: { externalId: 'fb-user-1', name: 'Fritz' },
            text: 'Wo bleibt mein Paket?',
            postedAt: new Date(),
            threadKey,
          },
          systemActor('test'),
        ),
      );
    const queue = (conversationId: string) =>
      inTransaction(db(), app.services.dispatcher, (tx, effects) =>
        queueReply(
          tx,
          effects,
          { conversationId, text: 'Wir sehen nach.', author: { id: agent.id, name: agent.name } },
          systemActor('test'),
          app.services.connectors,
          app.services.caseLink,
        ),
      );
    const comment = await ingest(`${fb.pageId}_1_${Date.now()}`, null);
    const dm = await ingest(`m_${Date.now()}`, 'dm');
    const publicReply = await message((await queue(comment.conversationId)).messageId);
    expect(publicReply).toMatchObject({ caseFooter: false, text: 'Wir sehen nach.' });
    const dmReply = await message((await queue(dm.conversationId)).messageId);
    expect(dmReply.caseFooter).toBe(true);
    expect(dmReply.text).toContain(`Ihre Vorgangsnummer: #${dm.caseNumber}`);
  });

  it('when a channel is created without naming the setting, then the footer is on', async () => {
    const created = await db().insertInto('channels').values({ kind: 'telegram', name: 'Neu' }).returning('caseFooter').executeTakeFirstOrThrow();
    expect(created.caseFooter).toBe(true);
  });

  it('when a manager turns the setting off on the channels page, then it is audited and the first reply carries no footer', async () => {
    const manager = await makeUser(db(), { role: 'manager' });
    const console = await signInAgent(app.url, manager);
    const csrf = await csrfOfPage(console, '/settings/channels');
    const off = await console.post(`/settings/channels/${channelId}/case-footer`).type('form').send({ _csrf: csrf });
    expect(off.status).toBe(303);
    try {
      const channel = await db().selectFrom('channels').select('caseFooter').where('id', '=', channelId).executeTakeFirstOrThrow();
      expect(channel.caseFooter).toBe(false);
      const audit = await db()
        .selectFrom('auditEvents')
        .selectAll()
        .where('subjectId', '=', channelId)
        .where('action', '=', 'channel.case_footer_changed')
        .execute();
      expect(audit.map((e) => [e.before, e.after])).toEqual([[{ caseFooter: true }, { caseFooter: false }]]);

      const c = await offlineCase('nofooter@kunde.example');
      const id = await reply(c.id, 'Kurze Antwort.');
      const [got] = await until('mail', async () => mailsTo('nofooter@kunde.example').length === 1 && mailsTo('nofooter@kunde.example'));
      expect(got!.mail.text?.trim()).toBe('Kurze Antwort.');
      expect((await ended(id)).caseFooter).toBe(false);
    } finally {
      await console.post(`/settings/channels/${channelId}/case-footer`).type('form').send({ _csrf: csrf, caseFooter: 'on' });
    }
  });
});
