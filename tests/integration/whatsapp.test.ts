/** WhatsApp Cloud API end to end: signed webhooks in (durable inbox → job → ingest), replies out to a fake Graph API, receipts back. */
import request from 'supertest';
import { makeUser } from '../factories/factories';
import { makeWhatsappChannel } from '../factories/messagingChannels';
import {
  GRAPH_ERRORS,
  inboundImage,
  inboundLocation,
  inboundText,
  newWamid,
  signPayload,
  startFakeMeta,
  statusUpdate,
  type FakeMeta,
} from '../fakes/fakeMetaServer';
import { inTransaction } from '../../server/domain/effects';
import { queueReply } from '../../server/domain/replies/queueReply';
import { systemActor } from '../../server/domain/audit/actor';
import { startTestApp, type TestApp } from '../support/testApp';
import { until } from '../support/until';

const ACCESS_TOKEN = 'EAAG-fake-access-token';
let app: TestApp;
let meta: FakeMeta;

beforeAll(async () => {
  meta = await startFakeMeta({ accessToken: ACCESS_TOKEN });
  app = await startTestApp({ workers: true });
});
afterAll(async () => {
  await app.stop();
  await meta.close();
});

const channelFor = (overrides: Parameters<typeof makeWhatsappChannel>[2] = {}) =>
  makeWhatsappChannel(app.services.db, app.services.secretBox, { accessToken: ACCESS_TOKEN, graphBaseUrl: meta.baseUrl, ...overrides });

function post(payload: unknown, appSecret: string | null, rawOverride?: string) {
  const body = rawOverride ?? JSON.stringify(payload);
  const req = request(app.url).post('/webhooks/whatsapp').set('content-type', 'application/json');
  if (appSecret) req.set('x-hub-signature-256', signPayload(appSecret, body));
  return req.send(body);
}

const db = () => app.services.db;
const messagesOf = (channelId: string) => db().selectFrom('messages').selectAll().where('channelId', '=', channelId).orderBy('postedAt').execute();
const inboxOf = (channelId: string) => db().selectFrom('webhookInbox').selectAll().where('channelId', '=', channelId).execute();

const inboundArrives = (channelId: string, externalId: string) =>
  until(`message ${externalId}`, () =>
    db().selectFrom('messages').selectAll().where('channelId', '=', channelId).where('externalId', '=', externalId).executeTakeFirst(),
  );
const inboxDrained = (channelId: string) => until('webhook inbox processed', async () => (await inboxOf(channelId)).every((r) => r.processedAt !== null));

describe('GET /webhooks/whatsapp (verification handshake)', () => {
  it('when hub.verify_token matches a channel, then the challenge is echoed; otherwise 403', async () => {
    const ch = await channelFor();
    const ok = await request(app.url)
      .get('/webhooks/whatsapp')
      .query({ 'hub.mode': 'subscribe', 'hub.verify_token': ch.verifyToken, 'hub.challenge': '1158201444' });
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('1158201444');
    const wrong = await request(app.url).get('/webhooks/whatsapp').query({ 'hub.mode': 'subscribe', 'hub.verify_token': 'nope', 'hub.challenge': '1' });
    expect(wrong.status).toBe(403);
    const mode = await request(app.url)
      .get('/webhooks/whatsapp')
      .query({ 'hub.mode': 'unsubscribe', 'hub.verify_token': ch.verifyToken, 'hub.challenge': '1' });
    expect(mode.status).toBe(403);
  });
});

describe('POST /webhooks/whatsapp (inbound)', () => {
  it('when the signature is missing or wrong, then 401 and nothing is stored', async () => {
    const ch = await channelFor();
    const payload = inboundText(ch.phoneNumberId, 'Hallo?');
    expect((await post(payload, null)).status).toBe(401);
    expect((await post(payload, 'some-other-secret')).status).toBe(401);
    const body = JSON.stringify(payload);
    const tampered = await request(app.url)
      .post('/webhooks/whatsapp')
      .set('content-type', 'application/json')
      .set('x-hub-signature-256', signPayload(ch.appSecret, body))
      .send(body.replace('Hallo', 'Hallo!'));
    expect(tampered.status).toBe(401);
    expect(await inboxOf(ch.channelId)).toHaveLength(0);
    expect(await messagesOf(ch.channelId)).toHaveLength(0);
  });

  it('when a signed text message arrives, then it is stored durably, answered 200 and ingested once even if Meta retries', async () => {
    const ch = await channelFor();
    const wamid = newWamid();
    const payload = inboundText(ch.phoneNumberId, 'Mein Paket ist beschädigt angekommen.', { id: wamid, name: 'Jonas Weber', from: '4917612345678' });
    const first = await post(payload, ch.appSecret);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ received: 1 });
    const m = await inboundArrives(ch.channelId, wamid);
    expect(m).toMatchObject({ direction: 'inbound', text: 'Mein Paket ist beschädigt angekommen.', authorName: 'Jonas Weber', authorHandle: '+4917612345678' });
    expect((await post(payload, ch.appSecret)).status).toBe(200);
    await inboxDrained(ch.channelId);
    expect(await inboxOf(ch.channelId)).toHaveLength(2);
    expect(await messagesOf(ch.channelId)).toHaveLength(1);
    const conv = await db().selectFrom('conversations').select(['status']).where('id', '=', m.conversationId).executeTakeFirstOrThrow();
    expect(conv.status).toBe('new');
  });

  it('when an image and a location arrive, then the thread shows "[image]" and the place, and raw keeps the media id', async () => {
    const ch = await channelFor();
    const image = inboundImage(ch.phoneNumberId, 'MEDIA-4711', 'So sah der Karton aus');
    const location = inboundLocation(ch.phoneNumberId, { latitude: 52.52, longitude: 13.405, name: 'Filiale Mitte' });
    await post(image, ch.appSecret);
    await post(location, ch.appSecret);
    const img = await inboundArrives(ch.channelId, (image.entry[0]!.changes[0]!.value as any).messages[0].id);
    const loc = await inboundArrives(ch.channelId, (location.entry[0]!.changes[0]!.value as any).messages[0].id);
    expect(img.text).toBe('[image] So sah der Karton aus');
    expect((img.raw as any).image.id).toBe('MEDIA-4711');
    expect(loc.text).toBe('[location] Filiale Mitte (52.52, 13.405)');
  });

  it('when the phone number id is unknown, then 200 (Meta would retry anything else), a warning is logged and nothing is stored', async () => {
    const ch = await channelFor();
    const res = await post(inboundText('999000111222', 'an unknown number'), ch.appSecret);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ received: 0 });
    expect(app.logs.some((l) => l.includes('unknown phone number ids') && l.includes('999000111222'))).toBe(true);
    expect(await inboxOf(ch.channelId)).toHaveLength(0);
  });

  it('when the body is over 1 MB, then 413; when it is signed but not JSON, then 400; nothing is stored either way', async () => {
    const ch = await channelFor();
    const big = JSON.stringify(inboundText(ch.phoneNumberId, 'x'.repeat(1_100_000)));
    expect((await post(null, ch.appSecret, big)).status).toBe(413);
    expect((await post(null, ch.appSecret, '{"object":"whatsapp_business_account",')).status).toBe(400);
    expect(await inboxOf(ch.channelId)).toHaveLength(0);
  });

  it('when one message in a delivery is malformed, then it is logged and skipped, and the others are ingested', async () => {
    const ch = await channelFor();
    const good = newWamid();
    const payload = inboundText(ch.phoneNumberId, 'Gute Nachricht', { id: good });
    (payload.entry[0]!.changes[0]!.value as any).messages.unshift({ id: 'wamid.BROKEN', type: 'text' });
    expect((await post(payload, ch.appSecret)).status).toBe(200);
    await inboundArrives(ch.channelId, good);
    await inboxDrained(ch.channelId);
    expect(app.logs.some((l) => l.includes('webhook item skipped') && l.includes('wamid.BROKEN'))).toBe(true);
    expect(await messagesOf(ch.channelId)).toHaveLength(1);
  });
});

describe('replies on a WhatsApp conversation', () => {
  it("when an agent replies, then the Graph API gets the text for the customer's number, and delivered/read receipts show on the reply (never going back)", async () => {
    const ch = await channelFor();
    const agent = await makeUser(db(), { role: 'agent' });
    const wamid = newWamid();
    await post(inboundText(ch.phoneNumberId, 'Wann kommt meine Bestellung?', { id: wamid, from: '4915199988877' }), ch.appSecret);
    const inbound = await inboundArrives(ch.channelId, wamid);
    const before = meta.sent.length;
    const res = await request(app.url)
      .post(`/api/v1/conversations/${inbound.conversationId}/replies`)
      .auth(agent.token, { type: 'bearer' })
      .send({ text: 'Morgen zwischen 10 und 12 Uhr.' });
    expect(res.status).toBe(202);
    const [sent] = (await meta.waitForSent(before + 1)).slice(before);
    expect(sent!.phoneNumberId).toBe(ch.phoneNumberId);
    expect(sent!.body).toMatchObject({
      messaging_product: 'whatsapp',
      to: '4915199988877',
      type: 'text',
      text: { body: 'Morgen zwischen 10 und 12 Uhr.' },
      context: { message_id: wamid },
    });
    const reply = await until('reply sent', () =>
      db().selectFrom('messages').selectAll().where('id', '=', res.body.messageId).where('deliveryState', '=', 'sent').executeTakeFirst(),
    );
    expect(reply.externalId).toBe(sent!.wamid);

    await post(statusUpdate(ch.phoneNumberId, sent!.wamid, 'read'), ch.appSecret);
    await until('read receipt', () =>
      db().selectFrom('messages').select('remoteStatus').where('id', '=', reply.id).where('remoteStatus', '=', 'read').executeTakeFirst(),
    );
    await post(statusUpdate(ch.phoneNumberId, sent!.wamid, 'delivered'), ch.appSecret);
    await inboxDrained(ch.channelId);
    const after = await db().selectFrom('messages').select(['remoteStatus', 'deliveryState']).where('id', '=', reply.id).executeTakeFirstOrThrow();
    expect(after).toEqual({ remoteStatus: 'read', deliveryState: 'sent' });
  });

  it('when a failed status arrives for a sent reply, then the reply shows as failed with the reason', async () => {
    const ch = await channelFor();
    const agent = await makeUser(db(), { role: 'agent' });
    const wamid = newWamid();
    await post(inboundText(ch.phoneNumberId, 'Hallo', { id: wamid }), ch.appSecret);
    const inbound = await inboundArrives(ch.channelId, wamid);
    const before = meta.sent.length;
    const res = await request(app.url)
      .post(`/api/v1/conversations/${inbound.conversationId}/replies`)
      .auth(agent.token, { type: 'bearer' })
      .send({ text: 'Hallo zurück' });
    const [sent] = (await meta.waitForSent(before + 1)).slice(before);
    await until('sent', () =>
      db().selectFrom('messages').select('id').where('id', '=', res.body.messageId).where('deliveryState', '=', 'sent').executeTakeFirst(),
    );
    await post(statusUpdate(ch.phoneNumberId, sent!.wamid, 'failed', { error: { code: 131026, title: 'Message undeliverable' } }), ch.appSecret);
    const failed = await until('failed receipt', () =>
      db().selectFrom('messages').selectAll().where('id', '=', res.body.messageId).where('deliveryState', '=', 'failed').executeTakeFirst(),
    );
    expect(failed.deliveryError).toBe('131026: Message undeliverable');
    expect(failed.remoteStatus).toBe('failed');
  });

  it('when the customer wrote more than 24 hours ago, then free text is refused with a clear reason and an approved template is sent instead', async () => {
    const ch = await channelFor({ templates: [{ name: 'order_followup', language: 'de' }] });
    const agent = await makeUser(db(), { role: 'agent' });
    const wamid = newWamid();
    await post(inboundText(ch.phoneNumberId, 'Alte Frage', { id: wamid, at: new Date(Date.now() - 25 * 3600_000) }), ch.appSecret);
    const inbound = await inboundArrives(ch.channelId, wamid);
    const refused = await request(app.url)
      .post(`/api/v1/conversations/${inbound.conversationId}/replies`)
      .auth(agent.token, { type: 'bearer' })
      .send({ text: 'Hallo?' });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toContain('more than 24 hours');

    const actor = systemActor('test');
    await expect(
      inTransaction(db(), app.services.dispatcher, (tx, effects) =>
        queueReply(
          tx,
          effects,
          {
            conversationId: inbound.conversationId,
            text: '',
            author: { id: agent.id, name: agent.name },
            template: { name: 'not_approved', language: 'de' },
          },
          actor,
          app.services.connectors,
          app.services.caseLink,
        ),
      ),
    ).rejects.toThrow('not an approved template');
    const before = meta.sent.length;
    const { messageId } = await inTransaction(db(), app.services.dispatcher, (tx, effects) =>
      queueReply(
        tx,
        effects,
        {
          conversationId: inbound.conversationId,
          text: '',
          author: { id: agent.id, name: agent.name },
          template: { name: 'order_followup', language: 'de' },
        },
        actor,
        app.services.connectors,
        app.services.caseLink,
      ),
    );
    const [sent] = (await meta.waitForSent(before + 1)).slice(before);
    expect(sent!.body).toMatchObject({ type: 'template', template: { name: 'order_followup', language: { code: 'de' } } });
    const m = await until('template sent', () =>
      db().selectFrom('messages').selectAll().where('id', '=', messageId).where('deliveryState', '=', 'sent').executeTakeFirst(),
    );
    expect(m.text).toBe('[template] order_followup (de)');
  });

  it('when the Graph API answers 429 and then 131047, then the reply is retried after the rate limit and finally fails with the re-engagement reason', async () => {
    const ch = await channelFor();
    const agent = await makeUser(db(), { role: 'agent' });
    const wamid = newWamid();
    await post(inboundText(ch.phoneNumberId, 'Hallo', { id: wamid }), ch.appSecret);
    const inbound = await inboundArrives(ch.channelId, wamid);
    meta.failNext(GRAPH_ERRORS.rateLimited, GRAPH_ERRORS.reEngagement);
    const res = await request(app.url)
      .post(`/api/v1/conversations/${inbound.conversationId}/replies`)
      .auth(agent.token, { type: 'bearer' })
      .send({ text: 'Antwort' });
    const failed = await until(
      'failed',
      () => db().selectFrom('messages').selectAll().where('id', '=', res.body.messageId).where('deliveryState', '=', 'failed').executeTakeFirst(),
      15_000,
    );
    expect(failed.deliveryAttempts).toBe(2);
    expect(failed.deliveryError).toContain('send an approved template');
  });
});

describe('customers without a phone number (business-scoped user ids, 2026)', () => {
  const identitiesOf = (channelId: string) =>
    db().selectFrom('contactIdentities').select(['contactId', 'externalId', 'handle', 'name']).where('channelId', '=', channelId).execute();

  async function reply(conversationId: string, text: string) {
    const agent = await makeUser(db(), { role: 'agent' });
    const before = meta.sent.length;
    const res = await request(app.url).post(`/api/v1/conversations/${conversationId}/replies`).auth(agent.token, { type: 'bearer' }).send({ text });
    expect(res.status).toBe(202);
    const [sent] = (await meta.waitForSent(before + 1)).slice(before);
    await until('reply sent', () =>
      db().selectFrom('messages').select('id').where('id', '=', res.body.messageId).where('deliveryState', '=', 'sent').executeTakeFirst(),
    );
    return sent!;
  }

  it('when a username-only customer writes (user_id, no wa_id), then the message lands, the reply is addressed by the user id, and the number that appears later joins the same contact and conversation', async () => {
    const ch = await channelFor();
    const userId = `DE.${Date.now()}13491208655302741918`;
    const first = newWamid();
    await post(
      inboundText(ch.phoneNumberId, 'Hallo, meine Lieferung fehlt', { id: first, from: null, userId, username: 'anna.k', name: 'Anna K.' }),
      ch.appSecret,
    );
    const inbound = await inboundArrives(ch.channelId, first);
    expect(inbound).toMatchObject({ authorName: 'Anna K.', authorHandle: 'anna.k' });
    expect(await identitiesOf(ch.channelId)).toEqual([expect.objectContaining({ externalId: userId, handle: 'anna.k', name: 'Anna K.' })]);

    const sent = await reply(inbound.conversationId, 'Wir prüfen das sofort.');
    expect(sent.body).toMatchObject({ messaging_product: 'whatsapp', recipient: userId, type: 'text', text: { body: 'Wir prüfen das sofort.' } });
    expect(sent.body).not.toHaveProperty('to');

    // The customer's number shows later (the user messaged with it): same identity, same contact, same conversation.
    const second = newWamid();
    await post(inboundText(ch.phoneNumberId, 'Hier noch meine Nummer', { id: second, from: '4917612345678', userId, name: 'Anna K.' }), ch.appSecret);
    const later = await inboundArrives(ch.channelId, second);
    expect(later.conversationId).toBe(inbound.conversationId);
    const identities = await identitiesOf(ch.channelId);
    expect(identities).toEqual([expect.objectContaining({ externalId: userId, handle: '+4917612345678', contactId: identities[0]!.contactId })]);
    expect((await reply(later.conversationId, 'Danke!')).body).toMatchObject({ recipient: userId });
  });

  it('when a customer known by phone number before writes with a user id, then the stored contact takes the user id: same contact, same conversation, replies by user id', async () => {
    const ch = await channelFor();
    const phone = `49151${String(Date.now()).slice(-7)}`;
    const userId = `DE.${Date.now()}77`;
    const old = newWamid();
    await post(inboundText(ch.phoneNumberId, 'Alte Nachricht', { id: old, from: phone, name: 'Bernd' }), ch.appSecret);
    const before = await inboundArrives(ch.channelId, old);
    const [oldIdentity] = await identitiesOf(ch.channelId);
    expect(oldIdentity).toMatchObject({ externalId: phone, handle: `+${phone}` });

    const now = newWamid();
    await post(inboundText(ch.phoneNumberId, 'Neue Nachricht', { id: now, from: phone, userId, name: 'Bernd' }), ch.appSecret);
    const after = await inboundArrives(ch.channelId, now);
    expect(after.conversationId).toBe(before.conversationId);
    expect(await identitiesOf(ch.channelId)).toEqual([{ contactId: oldIdentity!.contactId, externalId: userId, handle: `+${phone}`, name: 'Bernd' }]);
    expect((await reply(after.conversationId, 'Hallo Bernd')).body).toMatchObject({ recipient: userId });
  });

  it('when a message has neither a number nor a user id, then it is skipped with the reason and the others in the delivery land', async () => {
    const ch = await channelFor();
    const good = newWamid();
    const payload = inboundText(ch.phoneNumberId, 'Gut', { id: good, from: null, userId: 'US.13491208655302741918' });
    const messages = (payload.entry[0]!.changes[0]!.value as unknown as { messages: Record<string, unknown>[] }).messages;
    messages.push({ id: newWamid(), timestamp: messages[0]!.timestamp, type: 'text', text: { body: 'Von niemandem' } });
    await post(payload, ch.appSecret);
    await inboundArrives(ch.channelId, good);
    await inboxDrained(ch.channelId);
    expect((await messagesOf(ch.channelId)).map((m) => m.text)).toEqual(['Gut']);
  });
});
