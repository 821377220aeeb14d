/**
 * Channels set up in the console, through the real routes and workers: an API channel's ingest token is
 * rotated (the old one refused at once), every channel's traffic (last message in, last reply out, failed
 * replies of the last day) is on the channels page, a bad connect form is refused at its form without echoing
 * secrets, and an unknown kind names nothing.
 */
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { inboundPost, makeUser } from '../factories/factories';
import { csrfFrom } from '../support/csrf';
import { startTestApp, type TestApp } from '../support/testApp';
import { until } from '../support/until';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhookReceiver';

let app: TestApp;
let hooks: WebhookReceiver;
let manager: { agent: TestAgent; csrf: string; token: string };

beforeAll(async () => {
  [app, hooks] = await Promise.all([startTestApp({ workers: true }), startWebhookReceiver()]);
  const user = await makeUser(app.services.db, { role: 'manager', locale: 'en' });
  const agent = request.agent(app.url);
  const login = await agent.get('/login');
  await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(login.text), email: user.email, password: user.password })
    .expect(302);
  manager = { agent, token: user.token, csrf: csrfFrom((await agent.get('/settings/channels')).text) };
});
afterAll(async () => {
  await app.stop();
  await hooks.close();
});

const secretOn = (html: string, name: string) => new RegExp(`data-secret="${name}" value="([^"]+)"`).exec(html)?.[1] ?? '';

async function createApiChannel(name: string) {
  const res = await manager.agent.post('/settings/channels/api').type('form').send({ _csrf: manager.csrf, name, webhookUrl: hooks.url });
  expect(res.status).toBe(201);
  const channel = await app.services.db.selectFrom('channels').select('id').where('name', '=', name).executeTakeFirstOrThrow();
  return { id: channel.id, ingestToken: secretOn(res.text, 'ingestToken') };
}

const ingest = (channelId: string, token: string) =>
  request(app.url).post(`/api/v1/channels/${channelId}/messages`).auth(token, { type: 'bearer' }).send(inboundPost());

/** The channel's card on the channels page. */
async function card(channelId: string) {
  const html = (await manager.agent.get('/settings/channels')).text;
  const start = html.indexOf(`data-channel-id="${channelId}"`);
  return html.slice(start, html.indexOf('</section>', start));
}

describe('an API channel set up in the console', () => {
  it('when the manager rotates the ingest token, then the new one is shown once, the old one answers 401 at once, and the rotation is audited', async () => {
    const channel = await createApiChannel('Shop rotation');
    expect((await ingest(channel.id, channel.ingestToken)).status).toBe(201);
    const res = await manager.agent.post(`/settings/channels/${channel.id}/ingest-token`).type('form').send({ _csrf: manager.csrf });
    expect(res.status).toBe(200);
    const fresh = secretOn(res.text, 'ingestToken');
    expect(fresh).toMatch(/^rlc_/);
    expect(fresh).not.toBe(channel.ingestToken);
    expect((await ingest(channel.id, channel.ingestToken)).status).toBe(401);
    expect((await ingest(channel.id, fresh)).status).toBe(201);
    const events = await app.services.db.selectFrom('auditEvents').select(['action', 'after']).where('subjectId', '=', channel.id).orderBy('seq').execute();
    expect(events.map((e) => e.action)).toEqual(['channel.created', 'channel.ingest_token_rotated']);
    expect(JSON.stringify(events)).not.toContain(fresh);
    expect((await card(channel.id)).includes(fresh)).toBe(false); // shown once, not on the next visit
  });

  it('when messages come in and replies go out (one delivered, one refused by the webhook), then the card shows last in, last out, the failing rate and the last failure', async () => {
    const channel = await createApiChannel('Shop traffic');
    expect(await card(channel.id)).toContain('no replies in the last 24 hours');
    const first = await ingest(channel.id, channel.ingestToken);
    const reply = (text: string) =>
      request(app.url).post(`/api/v1/conversations/${first.body.conversationId}/replies`).auth(manager.token, { type: 'bearer' }).send({ text }).expect(202);
    await reply('Danke, wir schauen nach.');
    await until('the delivered reply', async () => (await card(channel.id)).includes('0 % of 1 replies'));
    hooks.failNext(422);
    await reply('Zweite Antwort');
    const shown = await until('the failed reply', async () => {
      const html = await card(channel.id);
      return html.includes('50 % of 2 replies') && html;
    });
    expect(shown).toMatch(/data-field="last-in"><time datetime=/);
    expect(shown).toMatch(/data-field="last-out"><time datetime=/);
    expect(shown).toMatch(/data-field="last-failure">.*HTTP 422/s);
  });
});

describe('editing a channel', () => {
  it('when the manager renames an API channel and changes its webhook URL, then the card shows it and the change is audited with before and after; an inside address is refused at the form', async () => {
    const channel = await createApiChannel('Shop edit');
    const edit = (body: object) =>
      manager.agent
        .post(`/settings/channels/${channel.id}/details`)
        .type('form')
        .send({ _csrf: manager.csrf, ...body });
    expect((await edit({ name: 'Shop (neu)', webhookUrl: `${hooks.url}/v2` })).status).toBe(303);
    const row = await app.services.db.selectFrom('channels').select(['name', 'webhookUrl']).where('id', '=', channel.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ name: 'Shop (neu)', webhookUrl: `${hooks.url}/v2` });
    const shown = await card(channel.id);
    expect(shown).toContain('<h2>Shop (neu)</h2>');
    expect(shown).toContain(`value="${hooks.url}/v2"`);
    const event = await app.services.db
      .selectFrom('auditEvents')
      .select(['before', 'after'])
      .where('subjectId', '=', channel.id)
      .where('action', '=', 'channel.updated')
      .executeTakeFirstOrThrow();
    expect(event).toEqual({ before: { name: 'Shop edit', webhookUrl: hooks.url }, after: { name: 'Shop (neu)', webhookUrl: `${hooks.url}/v2` } });

    const refused = await edit({ name: 'Shop (neu)', webhookUrl: 'http://169.254.169.254/latest' });
    expect(refused.status).toBe(400);
    expect(refused.text).toMatch(/<details class="edit-details" open>/);
    const after = await app.services.db.selectFrom('channels').select('webhookUrl').where('id', '=', channel.id).executeTakeFirstOrThrow();
    expect(after.webhookUrl).toBe(`${hooks.url}/v2`);
  });
});

describe('connect forms', () => {
  it('when a Telegram form misses its bot username, then 400 at that form, the token is not echoed, and nothing is stored', async () => {
    const before = await app.services.db.selectFrom('channels').select('id').where('kind', '=', 'telegram').execute();
    const res = await manager.agent
      .post('/settings/channels/telegram')
      .type('form')
      .send({ _csrf: manager.csrf, name: 'Bot ohne Namen', botToken: '123456:secret-token-value-abcdefghij' });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/id="new-telegram-channel">\s*<h2>Connect a Telegram bot<\/h2>\s*<p class="alert" role="alert">/);
    expect(res.text).not.toContain('secret-token-value');
    expect(await app.services.db.selectFrom('channels').select('id').where('kind', '=', 'telegram').execute()).toEqual(before);
  });

  it('when a kind is not one the console connects, then 404', async () => {
    expect((await manager.agent.post('/settings/channels/webchat').type('form').send({ _csrf: manager.csrf, name: 'Chat' })).status).toBe(404);
  });
});
