/**
 * Files customers send, served by the product: WhatsApp media fetched once through the connector (fake Graph
 * API on 127.0.0.1) and kept, e-mail attachments kept on ingest; who may open them, what type and disposition
 * they go out with, hostile names and types, and erasure taking them away.
 */
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { makeUser } from '../factories/factories';
import { makeWhatsappChannel } from '../factories/messagingChannels';
import { inboundMessage, postSignedWhatsapp, startFakeMeta, type FakeMeta } from '../fakes/fakeMetaServer';
import { csrfFrom } from '../support/csrf';
import { startTestApp, type TestApp } from '../support/testApp';
import { until } from '../support/until';
import { parseMail } from '../../connectors/email/parse';
import { makeApiChannel } from '../factories/factories';
import { systemActor } from '../../server/domain/audit/actor';
import { inTransaction } from '../../server/domain/effects';
import { ingestInbound } from '../../server/domain/conversations/ingestInbound';
import { eraseContact } from '../../server/domain/privacy/eraseContact';

const ACCESS_TOKEN = 'EAAG-fake-media-token';
/** The smallest valid PNG (1×1, transparent). */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');
const HOSTILE_HTML = Buffer.from('<html><body><script>parent.alert(document.cookie)</script></body></html>');
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>');

let app: TestApp;
let meta: FakeMeta;
beforeAll(async () => {
  meta = await startFakeMeta({ accessToken: ACCESS_TOKEN });
  app = await startTestApp({ workers: true });
});
afterAll(async () => {
  await app?.stop();
  await meta?.close();
});

const db = () => app.services.db;

async function signIn(role: 'agent' | 'auditor', locale: 'de' | 'en' = 'de'): Promise<TestAgent> {
  const user = await makeUser(db(), { role, locale });
  const agent = request.agent(app.url);
  const page = await agent.get('/login');
  const res = await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email: user.email, password: user.password });
  expect(res.status).toBe(302);
  return agent;
}

/** A WhatsApp message with one media item arrives by signed webhook; resolves with its conversation and attachment. */
async function whatsappMedia(type: 'image' | 'document', media: { id: string; mime_type: string; filename?: string }, bytes: Buffer | null) {
  const ch = await makeWhatsappChannel(db(), app.services.secretBox, { accessToken: ACCESS_TOKEN, graphBaseUrl: meta.baseUrl });
  if (bytes) meta.media.set(media.id, { bytes, mimeType: media.mime_type });
  const payload = inboundMessage(ch.phoneNumberId, { type, [type]: media });
  const body = JSON.stringify(payload);
  const res = await postSignedWhatsapp(app.url, body, ch.appSecret);
  expect(res.status).toBe(200);
  const wamid = (payload.entry[0]!.changes[0]!.value as unknown as { messages: { id: string }[] }).messages[0]!.id;
  const message = await until(`message ${wamid}`, () =>
    db().selectFrom('messages').select(['id', 'conversationId']).where('channelId', '=', ch.channelId).where('externalId', '=', wamid).executeTakeFirst(),
  );
  const attachment = await db().selectFrom('messageAttachments').selectAll().where('messageId', '=', message.id).executeTakeFirstOrThrow();
  return { conversationId: message.conversationId, attachment, url: `/conversations/${message.conversationId}/attachments/${attachment.id}` };
}

describe('a WhatsApp image', () => {
  it('when an agent opens the conversation, then the thread previews the image from our own route, fetched once from the provider and kept', async () => {
    const { conversationId, attachment, url } = await whatsappMedia('image', { id: '900100200300', mime_type: 'image/png' }, PNG);
    expect(attachment.providerRef).toBe('900100200300');
    expect(attachment.content).toBeNull();
    const agent = await signIn('agent');

    const page = await agent.get(`/conversations/${conversationId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`<img src="${url}" alt="Bild vom Kunden (Größe unbekannt)"`);
    expect(page.text).not.toContain(meta.baseUrl);

    const first = await agent.get(url);
    expect(first.status).toBe(200);
    expect(first.headers['content-type']).toBe('image/png');
    expect(first.headers['content-disposition']).toMatch(/^inline; filename="attachment-[0-9a-f]{8}"/);
    expect(first.headers['x-content-type-options']).toBe('nosniff');
    expect(first.headers['content-security-policy']).toContain('sandbox');
    expect(Buffer.compare(first.body as Buffer, PNG)).toBe(0);

    const second = await agent.get(url);
    expect(Buffer.compare(second.body as Buffer, PNG)).toBe(0);
    expect(meta.downloads.get('900100200300')).toBe(1);
    const kept = await db().selectFrom('messageAttachments').select(['sizeBytes', 'fetchedAt']).where('id', '=', attachment.id).executeTakeFirstOrThrow();
    expect(kept.sizeBytes).toBe(PNG.length);
    expect(kept.fetchedAt).not.toBeNull();

    // afterwards the thread names the size in the user's locale
    expect((await agent.get(`/conversations/${conversationId}/thread`)).text).toContain(`alt="Bild vom Kunden (${PNG.length} Byte)"`);
  });

  it('when nobody is signed in, then the file is not served (302 to the sign-in); an auditor may read it', async () => {
    const { url } = await whatsappMedia('image', { id: '900100200301', mime_type: 'image/png' }, PNG);
    const anonymous = await request(app.url).get(url);
    expect(anonymous.status).toBe(302);
    expect(anonymous.headers.location).toMatch(/^\/login/);
    expect((await (await signIn('auditor')).get(url)).status).toBe(200);
  });

  it('when the attachment belongs to another conversation, or the id is malformed, then 404 and nothing is fetched', async () => {
    const a = await whatsappMedia('image', { id: '900100200302', mime_type: 'image/png' }, PNG);
    const b = await whatsappMedia('image', { id: '900100200303', mime_type: 'image/png' }, PNG);
    const agent = await signIn('agent');
    expect((await agent.get(`/conversations/${a.conversationId}/attachments/${b.attachment.id}`)).status).toBe(404);
    expect((await agent.get(`/conversations/${a.conversationId}/attachments/..%2F..%2Fetc%2Fpasswd`)).status).toBe(404);
    expect(meta.downloads.get('900100200303')).toBeUndefined();
  });

  it('when the provider no longer has the media, then 502 with a German message and nothing is kept', async () => {
    const { url } = await whatsappMedia('image', { id: '900100200304', mime_type: 'image/jpeg' }, null);
    const res = await (await signIn('agent')).get(url);
    expect(res.status).toBe(502);
    expect(res.text).toContain('Der Kanal hat die Datei gerade nicht herausgegeben');
    const row = await db()
      .selectFrom('messageAttachments')
      .select(['content', 'providerRef'])
      .where('providerRef', '=', '900100200304')
      .executeTakeFirstOrThrow();
    expect(row.content).toBeNull();
  });
});

describe('hostile files', () => {
  it('when a document claims to be HTML under a name with quotes, CR/LF and markup, then it is a download of octet-stream with a harmless header, and the name is escaped in the thread', async () => {
    const filename = 'Rechnung"\r\nX-Evil: 1; <img src=x onerror=alert(1)>.html';
    const { conversationId, url } = await whatsappMedia('document', { id: '900100200305', mime_type: 'text/html', filename }, HOSTILE_HTML);
    const agent = await signIn('agent');
    const page = await agent.get(`/conversations/${conversationId}`);
    expect(page.text).not.toContain('<img src=x onerror');
    expect(page.text).toContain('&lt;img src=x onerror=alert(1)&gt;.html');
    expect(page.text).toContain(`href="${url}" download`);

    const res = await agent.get(url);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['x-evil']).toBeUndefined();
    const disposition = res.headers['content-disposition'] as string;
    expect(disposition.startsWith('attachment; filename="')).toBe(true);
    expect(disposition).not.toMatch(/[\r\n]/);
    expect(disposition).toContain("filename*=UTF-8''Rechnung%22X-Evil%3A%201%3B%20%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E.html");
  });

  it('when an image is an SVG, then it is never previewed nor served as SVG: a download of octet-stream', async () => {
    const { conversationId, url } = await whatsappMedia('document', { id: '900100200306', mime_type: 'image/svg+xml', filename: 'logo.svg' }, SVG);
    const agent = await signIn('agent');
    expect((await agent.get(`/conversations/${conversationId}`)).text).not.toContain(`<img src="${url}"`);
    const res = await agent.get(url);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="logo.svg"/);
  });

  it('when the bytes of a declared PNG are HTML, then they are not shown inline', async () => {
    const { url } = await whatsappMedia('image', { id: '900100200307', mime_type: 'image/png' }, HOSTILE_HTML);
    const res = await (await signIn('agent')).get(url);
    expect(res.headers['content-disposition']).toMatch(/^attachment;/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('an e-mail attachment', () => {
  const mail = (filename: string, type: string, content: Buffer) =>
    Buffer.from(
      [
        'From: Erika Mustermann <erika@example.org>',
        'To: support@example.com',
        'Subject: Beleg',
        `Message-ID: <att-${Date.now()}-${Math.random()}@example.org>`,
        'MIME-Version: 1.0',
        'Content-Type: multipart/mixed; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'Anbei der Beleg.',
        '--b1',
        `Content-Type: ${type}; name="${filename}"`,
        'Content-Transfer-Encoding: base64',
        `Content-Disposition: attachment; filename="${filename}"`,
        '',
        content.toString('base64'),
        '--b1--',
        '',
      ].join('\r\n'),
    );

  it('when a mail with a PDF arrives, then its bytes are kept on ingest and served as a download with its name and size; erasure removes them', async () => {
    const channel = await makeApiChannel(db(), app.services.secretBox);
    const pdf = Buffer.from('%PDF-1.4\n% Beleg\n');
    const parsed = await parseMail(channel.channelId, mail('Beleg März.pdf', 'application/pdf', pdf), 'fallback');
    if (!parsed.ok) throw new Error(parsed.reason);
    const ingested = await inTransaction(db(), app.services.dispatcher, (tx, effects) => ingestInbound(tx, effects, parsed.item, systemActor('test')));
    const attachment = await db().selectFrom('messageAttachments').selectAll().where('messageId', '=', ingested.messageId).executeTakeFirstOrThrow();
    expect(attachment).toMatchObject({ fileName: 'Beleg März.pdf', contentType: 'application/pdf', sizeBytes: pdf.length, providerRef: null });

    const agent = await signIn('agent', 'en');
    const url = `/conversations/${ingested.conversationId}/attachments/${attachment.id}`;
    const page = await agent.get(`/conversations/${ingested.conversationId}`);
    expect(page.text).toContain('aria-label="Download Beleg März.pdf"');
    expect(page.text).toContain(`${pdf.length} byte`);
    const res = await agent.get(url);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="Beleg M_rz.pdf"; filename*=UTF-8''Beleg%20M%C3%A4rz.pdf`);
    expect(Buffer.compare(res.body as Buffer, pdf)).toBe(0);

    const { contactId } = await db().selectFrom('conversations').select('contactId').where('id', '=', ingested.conversationId).executeTakeFirstOrThrow();
    await db()
      .transaction()
      .execute((tx) => eraseContact(tx, { contactId, reason: 'Art. 17 request' }, { actor: systemActor('test'), role: 'admin' }));
    expect(await db().selectFrom('messageAttachments').select('id').where('id', '=', attachment.id).executeTakeFirst()).toBeUndefined();
    expect((await agent.get(url)).status).toBe(404);
  });
});
