/**
 * Outbound targets (issue 13, point 3): a channel's URL or host must not point inside (loopback, private,
 * link-local, metadata addresses …), neither when it is saved nor when a connector calls it — else the
 * poller hands its bearer token to an internal service and the channels page shows the answer.
 *
 * This test run allows exactly 127.0.0.1 (OUTBOUND_ALLOWED_HOSTS in tests/support/globalSetup.ts), where
 * the fakes listen. 127.0.0.2 is loopback like any other and stands for "inside": a listener there
 * records whatever reaches it.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import request from 'supertest';
import { pollChannelOnce, type PollDeps } from '../../server/domain/channels/polling/pollChannel';
import type { Tx } from '../../server/db/client';
import { ingestInbound } from '../../server/domain/conversations/ingestInbound';
import { inTransaction } from '../../server/domain/effects';
import { systemActor } from '../../server/domain/audit/actor';
import { createApiChannel } from '../../server/domain/channels/api/createApiChannel';
import { connectChannel } from '../../server/domain/channels/connectChannel';
import { emailConnector } from '../../connectors/email/emailConnector';
import { telegramConnector } from '../../connectors/telegram/telegramConnector';
import { whatsappConnector } from '../../connectors/whatsapp/whatsappConnector';
import { xConnector } from '../../connectors/x/xConnector';
import { listChannelsWithHealth } from '../../server/db/repositories/channelHealth.repo';
import { channelHealthView } from '../../server/presenters/channelHealth.presenter';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { makeWhatsappChannel } from '../factories/messagingChannels';
import { startFakeXServer, type FakeXServer } from '../fakes/fakeXServer';
import { csrfFrom } from '../support/csrf';
import { startTestApp, type TestApp } from '../support/testApp';
import { until } from '../support/until';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhookReceiver';

let app: TestApp;
let fakeX: FakeXServer;
let hooks: WebhookReceiver;
let inside: { url: string; host: string; port: number; requests: { url: string; headers: IncomingHttpHeaders }[]; connections: number; close(): Promise<void> };
const actor = systemActor('test-factory');

async function startInside() {
  const requests: { url: string; headers: IncomingHttpHeaders }[] = [];
  let connections = 0;
  const server: Server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"secret":"internal answer"}');
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.2:${port}`,
    host: '127.0.0.2',
    port,
    requests,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

beforeAll(async () => {
  app = await startTestApp({ workers: true });
  [fakeX, hooks, inside] = await Promise.all([startFakeXServer(), startWebhookReceiver(), startInside()]);
});
afterAll(async () => {
  await app.stop();
  await Promise.all([fakeX.close(), hooks.close(), inside.close()]);
});

const db = () => app.services.db;
const deps = (): PollDeps => app.services;
const channelsNamed = async (name: string) => (await db().selectFrom('channels').select('id').where('name', '=', name).execute()).length;
/** Points a stored channel's settings somewhere else, as a channel saved before the guard existed may. */
const repoint = (channelId: string, key: string, value: string) =>
  sql`UPDATE channels SET settings = jsonb_set(settings, ${sql.lit(`{${key}}`)}, to_jsonb(${value}::text)) WHERE id = ${channelId}`.execute(db());

async function signIn(user: { email: string; password: string }) {
  const agent = request.agent(app.url);
  const page = await agent.get('/login');
  const res = await agent
    .post('/login')
    .set('X-Forwarded-For', '203.0.113.9')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), email: user.email, password: user.password });
  expect(res.status).toBe(302);
  return agent;
}

describe('saving a channel whose target points inside', () => {
  const INSIDE_URLS = [
    'http://127.0.0.2:8080/2/',
    'http://169.254.169.254/latest/meta-data/',
    'http://10.0.0.1/2/',
    'http://192.168.1.10/2/',
    'http://[::1]:8080/2/',
    'http://0x7f000002/2/',
    'http://2130706434/2/',
    'http://[::ffff:127.0.0.2]/2/',
    'http://[fd00::1]/2/',
    'http://[fe80::1]/2/',
    'http://0.0.0.0:8080/2/',
    'http://224.0.0.1/2/',
  ];

  it('when a manager connects an X account with an internal API base URL, then each one is refused with a 400 in German and nothing is stored', async () => {
    const manager = await makeUser(db(), { role: 'manager', locale: 'de' });
    const agent = await signIn(manager);
    const csrf = csrfFrom((await agent.get('/settings/channels').expect(200)).text);
    for (const url of INSIDE_URLS) {
      const res = await agent
        .post('/settings/channels/x')
        .type('form')
        .send({ _csrf: csrf, name: 'Intern', apiBaseUrl: url, userId: '12345', bearerToken: 'bearer-must-stay-home' });
      expect({ url, status: res.status }).toEqual({ url, status: 400 });
      expect(res.text).toContain('ist als Ziel nicht erlaubt');
    }
    const withCredentials = await agent
      .post('/settings/channels/x')
      .type('form')
      .send({ _csrf: csrf, name: 'Intern', apiBaseUrl: 'https://user:pw@api.x.com/2/', userId: '12345', bearerToken: 'bearer-must-stay-home' });
    expect(withCredentials.status).toBe(400);
    expect(withCredentials.text).toContain('Zugangsdaten in der Adresse');
    expect(await channelsNamed('Intern')).toBe(0);
    expect(inside.requests).toHaveLength(0);
  });

  it('when an English-speaking manager does the same, then the refusal is in English', async () => {
    const manager = await makeUser(db(), { role: 'manager', locale: 'en' });
    const agent = await signIn(manager);
    const csrf = csrfFrom((await agent.get('/settings/channels').expect(200)).text);
    const res = await agent
      .post('/settings/channels/x')
      .type('form')
      .send({ _csrf: csrf, name: 'Intern EN', apiBaseUrl: 'http://169.254.169.254/', userId: '12345', bearerToken: 'b' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('169.254.169.254 is not allowed as a target');
    expect(await channelsNamed('Intern EN')).toBe(0);
  });

  it('when an API, Telegram, WhatsApp or e-mail channel is created with an internal target, then the command refuses it with a 400 naming the field', async () => {
    const refused = async (what: string, create: () => Promise<unknown>, field: string) => {
      const err = await create().then(
        () => null,
        (e: { status?: number; details?: { fields?: Record<string, string> } }) => e,
      );
      expect({ what, status: err?.status, field: Object.keys(err?.details?.fields ?? {}) }).toEqual({ what, status: 400, field: [field] });
    };
    const tx = <T>(fn: (t: Tx) => Promise<T>) => db().transaction().execute(fn);
    await refused(
      'api',
      () => tx((t) => createApiChannel(t, app.services.secretBox, { name: 'Intern API', webhookUrl: `${inside.url}/hook` }, actor)),
      'webhookUrl',
    );
    await refused(
      'telegram',
      () =>
        tx((t) =>
          connectChannel(
            t,
            app.services.secretBox,
            telegramConnector,
            {
              name: 'Intern TG',
              botToken: '123456:AAH-abcdefghijklmnopqrstuvwxyz',
              botUsername: 'intern_bot',
              apiBaseUrl: 'http://169.254.169.254',
            },
            actor,
          ),
        ),
      'apiBaseUrl',
    );
    await refused(
      'whatsapp',
      () =>
        tx((t) =>
          connectChannel(
            t,
            app.services.secretBox,
            whatsappConnector,
            {
              name: 'Intern WA',
              phoneNumberId: '99887766',
              graphBaseUrl: 'http://[::1]/v21.0',
              accessToken: 't',
              appSecret: 's',
            },
            actor,
          ),
        ),
      'graphBaseUrl',
    );
    await refused(
      'email imap',
      () =>
        tx((t) =>
          connectChannel(
            t,
            app.services.secretBox,
            emailConnector,
            {
              name: 'Intern Mail',
              address: 'care@example.com',
              imapHost: '10.1.2.3',
              imapUser: 'u',
              imapPassword: 'p',
              smtpHost: 'smtp.example.com',
            },
            actor,
          ),
        ),
      'imapHost',
    );
    await refused(
      'email smtp',
      () =>
        tx((t) =>
          connectChannel(
            t,
            app.services.secretBox,
            emailConnector,
            {
              name: 'Intern Mail',
              address: 'care@example.com',
              imapHost: '127.0.0.1',
              imapUser: 'u',
              imapPassword: 'p',
              smtpHost: '127.0.0.2',
            },
            actor,
          ),
        ),
      'smtpHost',
    );
    for (const name of ['Intern API', 'Intern TG', 'Intern WA', 'Intern Mail']) expect(await channelsNamed(name)).toBe(0);
  });
});

describe('connector calls to a target that points inside', () => {
  it('when an X channel stored before the guard points inside, then polling sends no bearer token there and the channel health names the refused target', async () => {
    const created = await db()
      .transaction()
      .execute((t) =>
        connectChannel(
          t,
          app.services.secretBox,
          xConnector,
          {
            name: 'X repointed',
            apiBaseUrl: fakeX.baseUrl,
            userId: '424242',
            bearerToken: fakeX.bearerToken,
            pollIntervalSeconds: 60,
          },
          actor,
        ),
      );
    await repoint(created.channelId, 'apiBaseUrl', `${inside.url}/2/`);
    await pollChannelOnce(deps(), created.channelId);
    expect(inside.requests.map((r) => r.headers.authorization)).toEqual([]);
    const row = (await listChannelsWithHealth(db())).find((c) => c.id === created.channelId)!;
    const health = channelHealthView(row);
    expect(health.lastError).toContain('127.0.0.2');
    expect(health.lastError).not.toContain('internal answer');
    expect(row.lastErrorKind).toBe('permanent');
  });

  it("when an API channel's webhook answers with a redirect to an internal address, then the redirect is not followed and the reply fails with the reason", async () => {
    const channel = await makeApiChannel(db(), app.services.secretBox, { webhookUrl: hooks.url });
    const agentUser = await makeUser(db(), { role: 'agent' });
    const post = await request(app.url)
      .post(`/api/v1/channels/${channel.channelId}/messages`)
      .auth(channel.ingestToken, { type: 'bearer' })
      .send(inboundPost())
      .expect(201);
    hooks.failNext({ status: 307, headers: { location: `${inside.url}/steal` } });
    const res = await request(app.url)
      .post(`/api/v1/conversations/${post.body.conversationId}/replies`)
      .auth(agentUser.token, { type: 'bearer' })
      .send({ text: 'Hallo' })
      .expect(202);
    const failed = await until(
      'the reply to end',
      async () => {
        const m = await db().selectFrom('messages').selectAll().where('id', '=', res.body.messageId).executeTakeFirstOrThrow();
        return m.deliveryState === 'failed' || m.deliveryState === 'sent' ? m : null;
      },
      15_000,
    );
    expect(inside.requests).toHaveLength(0);
    expect(failed.deliveryState).toBe('failed');
    expect(failed.deliveryError).toMatch(/redirect/i);
  });

  it("when a stored WhatsApp channel's Graph base URL points inside, then the access token is not sent there and the reply fails with the reason", async () => {
    const wa = await makeWhatsappChannel(db(), app.services.secretBox, { graphBaseUrl: 'http://127.0.0.1:9/v21.0' });
    await repoint(wa.channelId, 'graphBaseUrl', `${inside.url}/v21.0`);
    const agentUser = await makeUser(db(), { role: 'agent' });
    const conv = await seedConversation(wa.channelId, '4915112340000');
    const res = await request(app.url)
      .post(`/api/v1/conversations/${conv}/replies`)
      .auth(agentUser.token, { type: 'bearer' })
      .send({ text: 'Hallo' })
      .expect(202);
    const failed = await until(
      'the reply to fail',
      () => db().selectFrom('messages').selectAll().where('id', '=', res.body.messageId).where('deliveryState', '=', 'failed').executeTakeFirst(),
      15_000,
    );
    expect(inside.requests).toHaveLength(0);
    expect(failed.deliveryError).toContain('127.0.0.2');
  });

  it("when a stored e-mail channel's SMTP host points inside, then no connection is made there and the reply fails with the reason", async () => {
    const mail = await db()
      .transaction()
      .execute((t) =>
        connectChannel(
          t,
          app.services.secretBox,
          emailConnector,
          {
            name: 'Mail repointed',
            address: 'care@example.com',
            imapHost: '127.0.0.1',
            imapPort: 9,
            imapSecure: false,
            imapUser: 'u',
            imapPassword: 'p',
            smtpHost: '127.0.0.1',
            smtpPort: 9,
            smtpSecure: false,
          },
          actor,
        ),
      );
    await repoint(mail.channelId, 'smtpHost', inside.host);
    await sql`UPDATE channels SET settings = jsonb_set(settings, '{smtpPort}', to_jsonb(${inside.port}::int)), paused = true WHERE id = ${mail.channelId}`.execute(
      db(),
    );
    const agentUser = await makeUser(db(), { role: 'agent' });
    const before = inside.connections;
    const conv = await seedConversation(mail.channelId, 'kunde@example.com');
    const res = await request(app.url)
      .post(`/api/v1/conversations/${conv}/replies`)
      .auth(agentUser.token, { type: 'bearer' })
      .send({ text: 'Hallo' })
      .expect(202);
    const failed = await until(
      'the reply to fail',
      () => db().selectFrom('messages').selectAll().where('id', '=', res.body.messageId).where('deliveryState', '=', 'failed').executeTakeFirst(),
      15_000,
    );
    expect(inside.connections).toBe(before);
    expect(failed.deliveryError).toContain('127.0.0.2');
  });
});

/** A conversation with one inbound message from `externalId` on the channel, stored through the ingest pipeline's tables. */
async function seedConversation(channelId: string, externalId: string): Promise<string> {
  const result = await inTransaction(db(), app.services.dispatcher, (t, effects) =>
    ingestInbound(
      t,
      effects,
      {
        channelId,
        externalId: `in-${Date.now()}-${Math.random()}`,
        author: { externalId, name: 'Kunde', handle: null },
        text: 'Hilfe',
        postedAt: new Date(),
        inReplyToExternalId: null,
        url: null,
        raw: {},
      },
      actor,
    ),
  );
  return result.conversationId;
}
