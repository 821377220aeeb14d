/**
 * An X channel whose API base URL is wrong, through the real poll workers: the channels page says what is
 * wrong in words within one poll interval, instead of "waiting for the first fetch" while every poll crashes
 * (the library's rate limit without x-rate-limit headers used to become an invalid date the database refused).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { makeUser } from '../factories/factories';
import { startFakeXServer, type FakeXServer } from '../fakes/fakeXServer';
import { csrfFrom } from '../support/csrf';
import { startTestApp, type TestApp } from '../support/testApp';
import { until } from '../support/until';

const INTERVAL_SECONDS = 5;
const NOT_THE_API = 'The API base URL does not answer like the X API';

let app: TestApp;
let fake: FakeXServer;
/** A company website where the API should be: 200 and HTML for every path, no rate-limit headers. */
let website: Server;
let websiteUrl: string;
let manager: { agent: TestAgent; csrf: string };

beforeAll(async () => {
  app = await startTestApp({ workers: true });
  fake = await startFakeXServer();
  website = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>Willkommen</title><h1>Unser Shop</h1>');
  });
  await new Promise<void>((resolve) => website.listen(0, '127.0.0.1', resolve));
  websiteUrl = `http://127.0.0.1:${(website.address() as AddressInfo).port}/`;
  const user = await makeUser(app.services.db, { role: 'manager', locale: 'en' });
  const agent = request.agent(app.url);
  const login = await agent.get('/login');
  await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(login.text), email: user.email, password: user.password })
    .expect(302);
  manager = { agent, csrf: csrfFrom((await agent.get('/settings/channels')).text) };
});
afterAll(async () => {
  await app.stop();
  await fake.close();
  await new Promise((resolve) => website.close(resolve));
});

async function connectX(apiBaseUrl: string) {
  const res = await manager.agent
    .post('/settings/channels/x')
    .type('form')
    .send({
      _csrf: manager.csrf,
      name: `X ${randomInt(1e6)}`,
      apiBaseUrl,
      userId: String(randomInt(1e7, 9e7)),
      bearerToken: fake.bearerToken,
      pollIntervalSeconds: String(INTERVAL_SECONDS),
    });
  expect(res.status).toBe(303);
  return /created=([0-9a-f-]{36})/.exec(res.headers.location ?? '')![1]!;
}

/** The channel's health fragment as the channels page shows (and refreshes) it. */
const health = async (channelId: string) => (await manager.agent.get(`/settings/channels/${channelId}/health`)).text;

describe('an X channel with a wrong API base URL', () => {
  it('when the base URL is a website, then the channels page shows "fetching failed" and the reason in words within one poll interval, and no poll crashes', async () => {
    const started = Date.now();
    const channelId = await connectX(websiteUrl);
    const shown = await until(
      'the error on the channels page',
      async () => {
        const html = await health(channelId);
        return html.includes(NOT_THE_API) && html;
      },
      INTERVAL_SECONDS * 1000,
    );
    expect(Date.now() - started).toBeLessThanOrEqual(INTERVAL_SECONDS * 1000);
    expect(shown).toContain('data-status="failing"');
    expect(shown).toContain('Fetching failed');
    expect(shown).not.toContain('Waiting for the first fetch');
    const page = await manager.agent.get('/settings/channels');
    expect(page.text).toContain(NOT_THE_API);
    expect(app.logs.join('')).not.toMatch(/poll crashed|NaN-NaN/);
  });

  it('when a working channel is pointed at the wrong base URL, then the next poll (within one interval) shows the error in words', async () => {
    const channelId = await connectX(fake.baseUrl);
    await until('the first successful fetch', async () => (await health(channelId)).includes('data-status="ok"'), INTERVAL_SECONDS * 1000);
    // The base URL changed (as a settings edit does); the next scheduled poll reads from the website.
    await sql`UPDATE channels SET settings = jsonb_set(settings, '{apiBaseUrl}', to_jsonb(${websiteUrl}::text)) WHERE id = ${channelId}`.execute(
      app.services.db,
    );
    const changed = Date.now();
    await until('the error after the change', async () => (await health(channelId)).includes(NOT_THE_API), (INTERVAL_SECONDS + 1) * 1000);
    expect(Date.now() - changed).toBeLessThanOrEqual((INTERVAL_SECONDS + 1) * 1000);
    expect(await health(channelId)).toContain('data-status="failing"');
    expect(app.logs.join('')).not.toMatch(/poll crashed|NaN-NaN/);
  });
});
