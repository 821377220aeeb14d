/**
 * Secrets never reach the logs or the pages. Everything the app logs (its pino destination, plus
 * anything written to stdout/stderr) is captured while channels are created with credentials, posts
 * are ingested over the API and the WhatsApp webhook, people sign in (right and wrong password), API
 * tokens are used, replies are delivered to a signed webhook and connector calls fail; then the
 * captured text and the settings pages are searched for every secret and every message text.
 */
import request from 'supertest';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { makeTelegramChannel, makeWhatsappChannel } from '../factories/messagingChannels';
import { GRAPH_ERRORS, inboundText, newWamid, postSignedWhatsapp, startFakeMeta, type FakeMeta } from '../fakes/fakeMetaServer';
import { startFakeTelegram, type FakeTelegram } from '../fakes/fakeTelegramServer';
import { pollChannelOnce } from '../../server/domain/channels/polling/pollChannel';
import { csrfFrom } from '../support/csrf';
import { startTestAppWithReceiver, type TestApp } from '../support/testApp';
import { until } from '../support/until';
import type { WebhookReceiver } from '../support/webhookReceiver';

const META_TOKEN = 'EAAG-secret-meta-access-token-4711';
let app: TestApp;
let hooks: WebhookReceiver;
let stop: () => Promise<void>;
let meta: FakeMeta;
let tg: FakeTelegram;
const written: string[] = [];
const originalWrite = { out: process.stdout.write.bind(process.stdout), err: process.stderr.write.bind(process.stderr) };

beforeAll(async () => {
  // Whatever bypasses the logger and goes to the process's own streams is captured too.
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    written.push(String(chunk));
    return (originalWrite.out as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: unknown, ...rest: unknown[]) => {
    written.push(String(chunk));
    return (originalWrite.err as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  [{ app, hooks, stop }, meta, tg] = await Promise.all([startTestAppWithReceiver(), startFakeMeta({ accessToken: META_TOKEN }), startFakeTelegram()]);
});
afterAll(async () => {
  process.stdout.write = originalWrite.out;
  process.stderr.write = originalWrite.err;
  await stop();
  await meta.close();
  await tg.close();
});

const deliveryOf = (messageId: string) =>
  app.services.db.selectFrom('messages').select(['deliveryState', 'deliveryError']).where('id', '=', messageId).executeTakeFirstOrThrow();

describe('secrets and message texts in logs and pages', () => {
  it('when credentials, tokens, passwords, sessions, messages and failing deliveries pass through the app, then none of them appears in any log line or settings page', async () => {
    const { db, secretBox, config } = app.services;
    const secrets: Record<string, string> = { ENCRYPTION_KEY: config.encryptionKey, SESSION_SECRET: config.sessionSecret };
    const texts: Record<string, string> = {};

    // People: a manager and an admin with API tokens, an agent who signs in with the right and a wrong password.
    const manager = await makeUser(db, { role: 'manager' });
    const admin = await makeUser(db, { role: 'admin' });
    const agent = await makeUser(db, { role: 'agent' });
    Object.assign(secrets, { managerToken: manager.token, adminToken: admin.token, agentToken: agent.token, password: agent.password });
    const browser = request.agent(app.url);
    const login = await browser.get('/login');
    const wrongPassword = 'Wr0ng-Passw0rd-never-logged';
    secrets.wrongPassword = wrongPassword;
    expect(
      (
        await browser
          .post('/login')
          .set('X-Forwarded-For', '198.51.100.201')
          .type('form')
          .send({ _csrf: csrfFrom(login.text), email: agent.email, password: wrongPassword })
      ).status,
    ).toBe(401);
    const signedIn = await browser
      .post('/login')
      .set('X-Forwarded-For', '198.51.100.202')
      .type('form')
      .send({ _csrf: csrfFrom(login.text), email: agent.email, password: agent.password });
    expect(signedIn.status).toBe(302);
    const cookie = ([] as string[]).concat(signedIn.headers['set-cookie'] ?? []).find((c) => c.startsWith('rl_session='))!;
    const cookieValue = decodeURIComponent(cookie.split(';')[0]!.slice('rl_session='.length));
    secrets.sessionCookie = cookieValue;
    secrets.sessionId = /^s:(.+)\.[^.]+$/.exec(cookieValue)![1]!;
    expect((await browser.get('/inbox')).status).toBe(200);

    // Channels with credentials: an API channel (ingest token, webhook secret), WhatsApp and Telegram.
    const api = await makeApiChannel(db, secretBox, { webhookUrl: hooks.url });
    const wa = await makeWhatsappChannel(db, secretBox, { accessToken: META_TOKEN, graphBaseUrl: meta.baseUrl });
    const telegram = await makeTelegramChannel(db, secretBox, tg);
    Object.assign(secrets, {
      ingestToken: api.ingestToken,
      webhookSecret: api.webhookSecret,
      metaAccessToken: META_TOKEN,
      appSecret: wa.appSecret,
      verifyToken: wa.verifyToken,
      botToken: tg.token,
    });

    // Inbound: over the API channel, a signed WhatsApp webhook, a Telegram poll; a wrong ingest token and a bad signature too.
    texts.apiPost = 'Geheime Bestellnummer 0815-API-Text';
    const post = inboundPost({ text: texts.apiPost });
    const ingested = await request(app.url).post(`/api/v1/channels/${api.channelId}/messages`).auth(api.ingestToken, { type: 'bearer' }).send(post);
    expect(ingested.status).toBe(201);
    expect((await request(app.url).post(`/api/v1/channels/${api.channelId}/messages`).auth(`${api.ingestToken}x`, { type: 'bearer' }).send(post)).status).toBe(
      401,
    );
    texts.whatsapp = 'Meine IBAN ist DE00-WhatsApp-Text';
    const wamid = newWamid();
    const body = JSON.stringify(inboundText(wa.phoneNumberId, texts.whatsapp, { id: wamid }));
    expect((await postSignedWhatsapp(app.url, body, wa.appSecret)).status).toBe(200);
    expect((await postSignedWhatsapp(app.url, body, 'wrong')).status).toBe(401);
    expect(
      (await request(app.url).get('/webhooks/whatsapp').query({ 'hub.mode': 'subscribe', 'hub.verify_token': wa.verifyToken, 'hub.challenge': '42' })).status,
    ).toBe(200);
    const waMessage = await until('the WhatsApp message', () =>
      db.selectFrom('messages').select(['id', 'conversationId']).where('externalId', '=', wamid).executeTakeFirst(),
    );
    texts.telegram = 'Passwort vergessen Telegram-Text';
    tg.pushPrivateText({ id: 777001, first_name: 'Tina' }, texts.telegram);
    const deps = app.services;
    expect(await pollChannelOnce(deps, telegram.channelId)).toMatchObject({ outcome: 'polled', created: 1 });
    tg.failNext('getUpdates', { error_code: 401, description: 'Unauthorized' });
    expect(await pollChannelOnce(deps, telegram.channelId, new Date(Date.now() + 3600_000))).toMatchObject({ outcome: 'polled', error: 'auth' });

    // Replies: delivered to the signed webhook after one failure, a note, and a WhatsApp reply the Graph API refuses.
    texts.reply = 'Ihr Gutscheincode lautet RL-REPLY-TEXT';
    texts.note = 'Interne Notiz RL-NOTE-TEXT';
    texts.waReply = 'Antwort an WhatsApp RL-WA-REPLY';
    hooks.failNext(500);
    const reply = await request(app.url)
      .post(`/api/v1/conversations/${ingested.body.conversationId}/replies`)
      .auth(agent.token, { type: 'bearer' })
      .send({ text: texts.reply });
    expect(reply.status).toBe(202);
    expect(
      (
        await request(app.url)
          .post(`/api/v1/conversations/${ingested.body.conversationId}/notes`)
          .auth(manager.token, { type: 'bearer' })
          .send({ text: texts.note })
      ).status,
    ).toBe(201);
    meta.failNext(GRAPH_ERRORS.badToken);
    const waReply = await request(app.url)
      .post(`/api/v1/conversations/${waMessage.conversationId}/replies`)
      .auth(manager.token, { type: 'bearer' })
      .send({ text: texts.waReply });
    expect(waReply.status).toBe(202);
    await until('the API reply delivered', async () => (await deliveryOf(reply.body.messageId)).deliveryState === 'sent');
    await until('the WhatsApp reply failed', async () => (await deliveryOf(waReply.body.messageId)).deliveryState === 'failed');
    const [hook] = hooks.received.slice(-1);
    secrets.webhookSignature = String(hook!.headers['x-replyline-signature']);
    expect(hook!.json.text).toBe(texts.reply);

    // An API read with the admin's token.
    expect((await request(app.url).get('/api/v1/audit?limit=5').auth(admin.token, { type: 'bearer' })).status).toBe(200);

    // The pages that show channels and their credentials (only as the last four characters).
    const pages: Record<string, string> = {};
    for (const user of [manager, admin]) {
      const b = request.agent(app.url);
      const l = await b.get('/login');
      expect(
        (
          await b
            .post('/login')
            .set('X-Forwarded-For', '198.51.100.203')
            .type('form')
            .send({ _csrf: csrfFrom(l.text), email: user.email, password: user.password })
        ).status,
      ).toBe(302);
      for (const path of [
        '/settings/channels',
        `/settings/channels/${wa.channelId}/health`,
        `/settings/channels/${telegram.channelId}/health`,
        '/settings/sla',
        '/inbox',
        `/conversations/${waMessage.conversationId}`,
      ]) {
        const page = await b.get(path);
        expect(page.status).toBe(200);
        pages[`${user.role} ${path}`] = page.text;
      }
    }
    expect(pages['admin /settings/channels']).toContain(wa.name); // the page does list the channels whose credentials are checked

    await new Promise((r) => setTimeout(r, 300)); // late log lines of the workers
    const logText = [...app.logs, ...written].join('');
    expect(logText).toContain('reply delivery failed for good'); // the capture works: the refused WhatsApp reply was logged
    expect(logText).toContain('channel credentials refused');

    const leaks: string[] = [];
    for (const [name, value] of Object.entries({ ...secrets, ...texts })) {
      if (logText.includes(value)) leaks.push(`log contains ${name}`);
    }
    for (const [name, value] of Object.entries(secrets)) {
      for (const [page, html] of Object.entries(pages)) if (html.includes(value)) leaks.push(`${page} contains ${name}`);
    }
    expect(leaks).toEqual([]);
  });
});
