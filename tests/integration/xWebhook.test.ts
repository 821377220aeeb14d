/**
 * X in real time: the Account Activity webhook at /webhooks/x (CRC check, signed deliveries routed by for_user_id,
 * durable inbox → job → the polling path's post mapping), with polling as fallback and catch-up: a post that
 * arrives both ways is stored once. The channels page switches webhook mode on and shows the month's events.
 */
import { createHmac, randomInt } from 'node:crypto';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import type { NewXChannel } from '../../connectors/x/setup';
import { xConnector } from '../../connectors/x/xConnector';
import { systemActor } from '../../server/domain/audit/actor';
import { connectChannel } from '../../server/domain/channels/connectChannel';
import { pollChannelOnce, type PollOutcome } from '../../server/domain/channels/polling/pollChannel';
import { makeUser } from '../factories/factories';
import { signXWebhook, startFakeXServer, type FakeXServer } from '../fakes/fakeXServer';
import { csrfFrom } from '../support/csrf';
import { startTestApp, type TestApp } from '../support/testApp';
import { until } from '../support/until';

const CONSUMER_SECRET = 'x-consumer-secret-of-the-app';
let app: TestApp;
let fake: FakeXServer;

beforeAll(async () => {
  [app, fake] = await Promise.all([startTestApp({ workers: true }), startFakeXServer()]);
});
afterAll(async () => {
  await app.stop();
  await fake.close();
});

const db = () => app.services.db;

async function makeXChannel(overrides: Partial<NewXChannel> = {}) {
  const userId = String(randomInt(10_000_000, 99_999_999));
  const created = await db()
    .transaction()
    .execute((tx) =>
      connectChannel(
        tx,
        app.services.secretBox,
        xConnector,
        {
          name: `X ${userId}`,
          apiBaseUrl: fake.baseUrl,
          userId,
          handle: 'replyline_care',
          bearerToken: fake.bearerToken,
          appKey: 'consumer-key',
          appSecret: CONSUMER_SECRET,
          accessToken: fake.accessTokenFor(userId),
          accessSecret: 'access-secret',
          pollIntervalSeconds: 3600,
          webhook: true,
          ...overrides,
        },
        systemActor('test-factory'),
      ),
    );
  return { channelId: created.channelId, userId };
}

function deliver(payload: unknown, signature: string | null | ((body: string) => string) = (body) => signXWebhook(CONSUMER_SECRET, body)) {
  const body = JSON.stringify(payload);
  const req = request(app.url).post('/webhooks/x').set('content-type', 'application/json');
  if (signature) req.set('x-twitter-webhooks-signature', typeof signature === 'string' ? signature : signature(body));
  return req.send(body);
}

const inboxOf = (channelId: string) => db().selectFrom('webhookInbox').selectAll().where('channelId', '=', channelId).orderBy('receivedAt').execute();
const inboxDrained = (channelId: string) =>
  until('webhook inbox processed', async () => {
    const rows = await inboxOf(channelId);
    return rows.length > 0 && rows.every((r) => r.processedAt !== null) ? rows : undefined;
  });
const inbound = (channelId: string) =>
  db().selectFrom('messages').selectAll().where('channelId', '=', channelId).where('direction', '=', 'inbound').orderBy('postedAt').execute();

/** One poll; the worker of this test run may hold the lease for a moment, then we wait our turn. */
async function poll(channelId: string): Promise<PollOutcome> {
  for (let i = 0; ; i += 1) {
    const outcome = await pollChannelOnce(app.services, channelId);
    if (!(outcome.outcome === 'skipped' && outcome.reason === 'busy') || i > 100) return outcome;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('GET /webhooks/x (CRC check)', () => {
  it('when X sends a crc_token, then the answer is sha256= + base64 HMAC-SHA256 of it with the consumer secret', async () => {
    await makeXChannel();
    const res = await request(app.url).get('/webhooks/x').query({ crc_token: 'challenge-123', nonce: 'abc' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    const expected = `sha256=${createHmac('sha256', CONSUMER_SECRET).update('challenge-123').digest('base64')}`;
    expect(res.body).toEqual({ response_token: expected });
  });

  it('when the crc_token is missing, then 403', async () => {
    expect((await request(app.url).get('/webhooks/x')).status).toBe(403);
  });
});

describe('POST /webhooks/x (signed Account Activity deliveries)', () => {
  it('when the signature is missing, wrong, made with another secret or over another body, then 401 and nothing is stored', async () => {
    const ch = await makeXChannel();
    const post = fake.mention(ch.userId, { text: '@replyline_care Hallo?' });
    const payload = fake.activity(ch.userId, { posts: [post] });
    expect((await deliver(payload, null)).status).toBe(401);
    expect((await deliver(payload, 'sha256=not-base64')).status).toBe(401);
    expect((await deliver(payload, (body) => signXWebhook('another-secret', body))).status).toBe(401);
    const tampered = await deliver({ ...payload, for_user_id: ch.userId }, signXWebhook(CONSUMER_SECRET, JSON.stringify({ ...payload, extra: 1 })));
    expect(tampered.status).toBe(401);
    expect(tampered.body.error).toMatch(/x-twitter-webhooks-signature/);
    expect(await inboxOf(ch.channelId)).toHaveLength(0);
  });

  it('when a mention and a reply arrive, then the delivery is stored first, answered 200, and the job ingests both with their authors and threading', async () => {
    const ch = await makeXChannel();
    const author = { id: '8101', name: 'Erika Mustermann', username: 'erika_m' };
    const first = fake.mention(ch.userId, { text: '@replyline_care Mein Paket fehlt', author });
    const reply = fake.mention(ch.userId, { text: '@replyline_care Nummer 4711', author, inReplyTo: first.id });
    const res = await deliver(fake.activity(ch.userId, { posts: [first, reply] }));
    expect([res.status, res.body]).toEqual([200, { received: 1 }]);
    const [row] = await inboxDrained(ch.channelId);
    expect(row).toMatchObject({ kind: 'x', events: 2, attempts: 1 });
    const messages = await inbound(ch.channelId);
    expect(messages.map((m) => [m.externalId, m.text])).toEqual([
      [first.id, '@replyline_care Mein Paket fehlt'],
      [reply.id, '@replyline_care Nummer 4711'],
    ]);
    expect(messages[1]!.conversationId).toBe(messages[0]!.conversationId);
    expect(messages[1]!.inReplyToExternalId).toBe(first.id);
    const identity = await db()
      .selectFrom('contactIdentities')
      .selectAll()
      .where('channelId', '=', ch.channelId)
      .where('externalId', '=', author.id)
      .executeTakeFirstOrThrow();
    expect(identity.handle).toBe('erika_m');
  });

  it("when a direct message arrives, then it lands in the sender's DM thread; the account's own messages and posts are left out", async () => {
    const ch = await makeXChannel();
    const dm = fake.directMessage(ch.userId, { text: 'Privat: meine Adresse ist neu', from: { id: '8202', name: 'Max', username: 'max_m' } });
    const own = fake.ownDirectMessage(ch.userId, '8202', 'Danke, wir kümmern uns');
    const ownPost = fake.mention(ch.userId, { text: 'Unser Service ist für Sie da', author: { id: ch.userId, name: 'Brand', username: 'replyline_care' } });
    expect((await deliver(fake.activity(ch.userId, { dms: [dm, own], posts: [ownPost] }))).status).toBe(200);
    const [row] = await inboxDrained(ch.channelId);
    expect(row!.events).toBe(3);
    const messages = await inbound(ch.channelId);
    expect(messages.map((m) => [m.externalId, m.text])).toEqual([[`dm:${dm.id}`, 'Privat: meine Adresse ist neu']]);
    const conversation = await db().selectFrom('conversations').selectAll().where('id', '=', messages[0]!.conversationId).executeTakeFirstOrThrow();
    expect(conversation.threadKey).toBe('dm');
  });

  it('when X repeats a delivery, then it is stored and ingested once', async () => {
    const ch = await makeXChannel();
    const payload = fake.activity(ch.userId, { posts: [fake.mention(ch.userId, { text: '@replyline_care noch da?' })] });
    expect((await deliver(payload)).body).toEqual({ received: 1 });
    expect((await deliver(payload)).body).toEqual({ received: 0 });
    await inboxDrained(ch.channelId);
    expect(await inboxOf(ch.channelId)).toHaveLength(1);
    expect(await inbound(ch.channelId)).toHaveLength(1);
  });

  it('when a delivery is for an account no channel has, or for a channel in polling mode, then it is answered 200 and not stored', async () => {
    const webhookCh = await makeXChannel();
    const pollingCh = await makeXChannel({ webhook: false });
    const post = fake.mention(pollingCh.userId, { text: '@replyline_care hallo' });
    expect((await deliver(fake.activity(pollingCh.userId, { posts: [post] }))).body).toEqual({ received: 0 });
    expect((await deliver(fake.activity('12345', { posts: [post] }))).body).toEqual({ received: 0 });
    expect(await inboxOf(pollingCh.channelId)).toHaveLength(0);
    expect(await inboxOf(webhookCh.channelId)).toHaveLength(0);
  });
});

describe('webhook and polling together', () => {
  it('when the same mention and DM arrive by webhook and then by poll, then each is stored once and the cursor moves on', async () => {
    const ch = await makeXChannel();
    const post = fake.mention(ch.userId, { text: '@replyline_care Webhook zuerst' });
    const dm = fake.directMessage(ch.userId, { text: 'DM zuerst per Webhook' });
    await deliver(fake.activity(ch.userId, { posts: [post], dms: [dm] }));
    await inboxDrained(ch.channelId);
    expect(await poll(ch.channelId)).toMatchObject({ outcome: 'polled', created: 0 });
    expect((await inbound(ch.channelId)).map((m) => m.externalId).sort()).toEqual([post.id, `dm:${dm.id}`].sort());
    const channel = await db().selectFrom('channels').selectAll().where('id', '=', ch.channelId).executeTakeFirstOrThrow();
    expect(channel.cursor).toBe(post.id);
  });

  it('when the webhook was down, then the poll catches up, and the late delivery of the same post adds nothing', async () => {
    const ch = await makeXChannel();
    const missed = fake.mention(ch.userId, { text: '@replyline_care während des Ausfalls' });
    expect(await poll(ch.channelId)).toMatchObject({ outcome: 'polled', created: 1 });
    await deliver(fake.activity(ch.userId, { posts: [missed] }));
    await inboxDrained(ch.channelId);
    const messages = await inbound(ch.channelId);
    expect(messages.map((m) => m.externalId)).toEqual([missed.id]);
    const audit = await db()
      .selectFrom('auditEvents')
      .select('action')
      .where('channelId', '=', ch.channelId)
      .where('action', '=', 'message.received')
      .execute();
    expect(audit).toHaveLength(1);
  });
});

describe('webhook mode on the channels page', () => {
  let manager: { agent: TestAgent; csrf: string; de: boolean };
  async function signIn(locale: 'de' | 'en') {
    const user = await makeUser(db(), { role: 'manager', locale });
    const agent = request.agent(app.url);
    const login = await agent.get('/login');
    await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(login.text), email: user.email, password: user.password })
      .expect(302);
    return { agent, csrf: csrfFrom((await agent.get('/settings/channels')).text), de: locale === 'de' };
  }
  beforeAll(async () => {
    manager = await signIn('de');
  });

  it('when webhook mode is asked for without the consumer secret, then the form says so in German at that field and nothing is stored', async () => {
    const userId = String(randomInt(1e7, 9e7));
    const res = await manager.agent
      .post('/settings/channels/x')
      .type('form')
      .send({ _csrf: manager.csrf, name: 'Ohne Secret', userId, apiBaseUrl: fake.baseUrl, bearerToken: fake.bearerToken, webhook: 'true' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('Für den Webhook-Modus nötig: das API-Key-Secret');
    expect(res.text).toMatch(/name="appSecret"[^>]*aria-invalid="true"/);
    expect(await db().selectFrom('channels').select('id').where('name', '=', 'Ohne Secret').execute()).toHaveLength(0);
  });

  it('when a manager switches an X channel to webhook mode, then it is stored (audited), the page shows the callback URL and counts the month’s events', async () => {
    const ch = await makeXChannel({ webhook: false });
    const form = {
      _csrf: manager.csrf,
      name: `X ${ch.userId}`,
      userId: ch.userId,
      handle: 'replyline_care',
      apiBaseUrl: fake.baseUrl,
      pollIntervalSeconds: '900',
      webhook: 'true',
      bearerToken: '',
      appKey: '',
      appSecret: '',
      accessToken: '',
      accessSecret: '',
    };
    const res = await manager.agent.post(`/settings/channels/${ch.channelId}/settings`).type('form').send(form);
    expect(res.status).toBe(303);
    const channel = await db().selectFrom('channels').selectAll().where('id', '=', ch.channelId).executeTakeFirstOrThrow();
    expect(channel.settings).toMatchObject({ webhook: true });
    const audit = await db().selectFrom('auditEvents').selectAll().where('subjectId', '=', ch.channelId).where('action', '=', 'channel.updated').execute();
    expect(audit.at(-1)!.after).toMatchObject({ webhook: true, pollIntervalSeconds: 900 });

    const posts = [fake.mention(ch.userId, { text: '@replyline_care eins' }), fake.mention(ch.userId, { text: '@replyline_care zwei' })];
    await deliver(fake.activity(ch.userId, { posts: [posts[0]!] }));
    await deliver(fake.activity(ch.userId, { posts, dms: [fake.directMessage(ch.userId, { text: 'drei' })] }));
    await inboxDrained(ch.channelId);
    const page = await manager.agent.get('/settings/channels').expect(200);
    const card = page.text.slice(page.text.indexOf(`id="channel-${ch.channelId}"`));
    expect(card).toContain(`<code data-field="callback-url">${app.services.config.baseUrl}/webhooks/x</code>`);
    expect(card).toMatch(/data-field="webhook-events">4 seit dem 1\. \(UTC\)</);
    expect(card).toMatch(/<select name="webhook"[^>]*><option value="false">[^<]+<\/option><option value="true" selected>/);
  });

  it('when channels in webhook mode hold different consumer secrets, then the CRC check is refused (one X app per installation)', async () => {
    await makeXChannel({ appSecret: 'the-secret-of-another-app' });
    expect((await request(app.url).get('/webhooks/x').query({ crc_token: 'x' })).status).toBe(403);
  });
});
