/**
 * A connected channel's settings and credentials edited in the console, through the real routes and poll
 * workers: an X channel moved to another API base URL is polled there at once, the change audited with before
 * and after (secrets kept, never shown); a refused edit names its field and changes nothing.
 */
import { randomInt } from 'node:crypto';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { makeUser } from '../factories/factories';
import { startFakeXServer, type FakeXServer } from '../fakes/fakeXServer';
import { csrfFrom } from '../support/csrf';
import { startTestApp, type TestApp } from '../support/testApp';
import { until } from '../support/until';

let app: TestApp;
let oldApi: FakeXServer;
let newApi: FakeXServer;
let manager: { agent: TestAgent; csrf: string };
/** A manager who reads the console in German. */
let managerDe: { agent: TestAgent; csrf: string };

async function signIn(locale: 'de' | 'en') {
  const user = await makeUser(app.services.db, { role: 'manager', locale });
  const agent = request.agent(app.url);
  const login = await agent.get('/login');
  await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(login.text), email: user.email, password: user.password })
    .expect(302);
  return { agent, csrf: csrfFrom((await agent.get('/settings/channels')).text) };
}

beforeAll(async () => {
  [app, oldApi, newApi] = await Promise.all([startTestApp({ workers: true }), startFakeXServer(), startFakeXServer({ pathPrefix: '/proxy/x' })]);
  [manager, managerDe] = [await signIn('en'), await signIn('de')];
});
afterAll(async () => {
  await app.stop();
  await Promise.all([oldApi.close(), newApi.close()]);
});

async function connectX(name: string) {
  const userId = String(randomInt(1e7, 9e7));
  const res = await manager.agent.post('/settings/channels/x').type('form').send({
    _csrf: manager.csrf,
    name,
    apiBaseUrl: oldApi.baseUrl,
    userId,
    handle: 'shop',
    bearerToken: oldApi.bearerToken,
    pollIntervalSeconds: '3600',
  });
  expect(res.status).toBe(303);
  return { id: /created=([0-9a-f-]{36})/.exec(res.headers.location ?? '')![1]!, userId };
}

/** The edit form as the browser sends it: every shown field, secret fields left empty. */
const editForm = (userId: string, changes: Record<string, string>) => ({
  _csrf: manager.csrf,
  name: 'Shop X',
  userId,
  handle: 'shop',
  apiBaseUrl: oldApi.baseUrl,
  pollIntervalSeconds: '3600',
  bearerToken: '',
  appKey: '',
  appSecret: '',
  accessToken: '',
  accessSecret: '',
  ...changes,
});
const edit = (id: string, body: object) => manager.agent.post(`/settings/channels/${id}/settings`).type('form').send(body);
const channelRow = (id: string) =>
  app.services.db.selectFrom('channels').select(['name', 'settings', 'credentialsEnc', 'pollIntervalSeconds']).where('id', '=', id).executeTakeFirstOrThrow();
const auditOf = (id: string) =>
  app.services.db.selectFrom('auditEvents').select(['action', 'before', 'after']).where('subjectId', '=', id).orderBy('seq').execute();

describe('editing a connected channel', () => {
  it('when the manager moves an X channel to another API base URL, then the next poll goes there, the stored token is kept, and the change is audited with before and after', async () => {
    const channel = await connectX('Shop X');
    await until('the first poll at the old API', async () => oldApi.requestsTo('mentions').length > 0);
    const stored = await channelRow(channel.id);
    newApi.mention(channel.userId, { text: '@shop mein Paket fehlt' });

    expect((await edit(channel.id, editForm(channel.userId, { apiBaseUrl: newApi.baseUrl }))).status).toBe(303);

    const row = await channelRow(channel.id);
    expect(row.settings).toEqual({ apiBaseUrl: newApi.baseUrl, userId: channel.userId, handle: 'shop', webhook: false });
    expect(row.credentialsEnc).toBe(stored.credentialsEnc); // empty secret fields keep the sealed credentials as they were
    await until('the mention from the new API', async () => {
      const found = await app.services.db
        .selectFrom('messages')
        .select('id')
        .where('channelId', '=', channel.id)
        .where('text', '=', '@shop mein Paket fehlt')
        .execute();
      return found.length === 1;
    });
    const polledAtOld = oldApi.requestsTo('mentions').length;
    expect(newApi.requestsTo('mentions').every((r) => r.authorization === `Bearer ${oldApi.bearerToken}`)).toBe(true);
    const events = await auditOf(channel.id);
    expect(events.map((e) => e.action)).toEqual(['channel.created', 'channel.updated']);
    expect(events[1]).toMatchObject({ before: { apiBaseUrl: oldApi.baseUrl }, after: { apiBaseUrl: newApi.baseUrl } });

    const html = (await manager.agent.get('/settings/channels')).text;
    const form = html.slice(html.indexOf(`action="/settings/channels/${channel.id}/settings"`));
    expect(form.slice(0, form.indexOf('</form>'))).toContain(`name="apiBaseUrl" type="url" placeholder="https://api.x.com/2/" value="${newApi.baseUrl}"`);
    expect(html).not.toContain(oldApi.bearerToken);
    expect(oldApi.requestsTo('mentions').length).toBe(polledAtOld);

    // A new token typed into the same form replaces the stored one; the audit shows it masked.
    expect((await edit(channel.id, editForm(channel.userId, { apiBaseUrl: newApi.baseUrl, bearerToken: 'rotated-bearer-token-4711' }))).status).toBe(303);
    const rotated = await auditOf(channel.id);
    expect(rotated.map((e) => e.action)).toEqual(['channel.created', 'channel.updated', 'channel.credentials_changed']);
    expect(JSON.stringify(rotated)).not.toContain('rotated-bearer-token');
    expect(JSON.stringify(rotated[2]!.after)).toContain('4711');
  });

  it('when the edit has a bad user id, then 400 in German at the edit form with the field marked, no secret echoed, and nothing changed', async () => {
    const channel = await connectX('Shop X refused');
    const before = await channelRow(channel.id);
    const res = await managerDe.agent
      .post(`/settings/channels/${channel.id}/settings`)
      .type('form')
      .send({ ...editForm(channel.userId, { name: 'Umbenannt', userId: 'shop-account', bearerToken: 'typed-secret-token' }), _csrf: managerDe.csrf });
    expect(res.status).toBe(400);
    expect(res.text).toMatch(
      /<details class="edit-details" open>\s*<summary>Einstellungen und Zugangsdaten bearbeiten<\/summary>\s*<p class="alert" role="alert">Bitte prüfen Sie die markierten Angaben.<\/p>/,
    );
    expect(res.text).toMatch(/name="userId"[^>]*aria-invalid="true"/);
    expect(res.text).toContain('value="shop-account"');
    expect(res.text).not.toContain('typed-secret-token');
    expect(await channelRow(channel.id)).toEqual(before);
    expect((await auditOf(channel.id)).map((e) => e.action)).toEqual(['channel.created']);
  });
});
