/**
 * Access hardening through the real HTTP entry points: API tokens that expire and can be revoked,
 * no session rows for visitors, a cap on live streams, no caching of customer data, bidi-safe names.
 */
import http from 'node:http';
import request from 'supertest';
import { systemActor } from '../../server/domain/audit/actor';
import { LIVE_STREAMS_PER_USER } from '../../server/routes/web/events.routes';
import { revokeApiToken } from '../../server/domain/users/revokeApiToken';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { startTestApp, type TestApp } from '../support/testApp';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.stop();
});

const tokensOf = (userId: string) => app.services.db.selectFrom('apiTokens').selectAll().where('userId', '=', userId).execute();
const api = (token: string) => request(app.url).get('/api/v1/conversations').auth(token, { type: 'bearer' });

describe('API tokens', () => {
  it('when a token is used, then last_used_at is written, and not again on the next request within the throttle', async () => {
    const user = await makeUser(app.services.db);
    const [before] = await tokensOf(user.id);
    expect(before!.lastUsedAt).toBeNull();
    expect((await api(user.token)).status).toBe(200);
    const [first] = await tokensOf(user.id);
    expect(first!.lastUsedAt).toBeInstanceOf(Date);
    expect((await api(user.token)).status).toBe(200);
    const [second] = await tokensOf(user.id);
    expect(second!.lastUsedAt).toEqual(first!.lastUsedAt);
  });

  it('when a token is revoked, then it answers 401 at once, and the revocation is audited in the same transaction', async () => {
    const user = await makeUser(app.services.db);
    expect((await api(user.token)).status).toBe(200);
    const [row] = await tokensOf(user.id);
    await app.services.db.transaction().execute((tx) => revokeApiToken(tx, row!.id, systemActor('test')));
    const res = await api(user.token);
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('This API token was revoked');
    const events = await app.services.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('action', '=', 'api_token.revoked')
      .where('subjectId', '=', user.id)
      .execute();
    expect(events).toHaveLength(1);
    expect(events[0]!.after).toMatchObject({ tokenId: row!.id });
  });

  it('when a token is past its expiry, then it answers 401', async () => {
    const user = await makeUser(app.services.db);
    const [row] = await tokensOf(user.id);
    expect(row!.expiresAt.getTime()).toBeGreaterThan(Date.now() + 89 * 86400_000);
    await app.services.db
      .updateTable('apiTokens')
      .set({ createdAt: new Date(Date.now() - 2 * 86400_000), expiresAt: new Date(Date.now() - 1000) })
      .where('id', '=', row!.id)
      .execute();
    const res = await api(user.token);
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('This API token has expired');
  });
});

describe('sessions for visitors', () => {
  const sessionCount = async () => Number((await app.services.pool.query<{ n: string }>('SELECT count(*) AS n FROM user_sessions')).rows[0]!.n);

  it('when 200 visitors without cookies open the sign-in page, then no session row is written and no session cookie is set', async () => {
    const before = await sessionCount();
    for (let i = 0; i < 200; i += 10) {
      const pages = await Promise.all(Array.from({ length: 10 }, () => request(app.url).get('/login')));
      for (const page of pages) {
        expect(page.status).toBe(200);
        expect(([] as string[]).concat(page.headers['set-cookie'] ?? []).filter((c) => c.startsWith('rl_session='))).toEqual([]);
      }
    }
    expect(await sessionCount()).toBe(before);
  });

  it('when a visitor signs in with the form from the sign-in page, then that works and exactly one session row is written', async () => {
    const user = await makeUser(app.services.db);
    const agent = request.agent(app.url);
    const page = await agent.get('/login');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1];
    const before = await sessionCount();
    const res = await agent
      .post('/login')
      .set('X-Forwarded-For', '203.0.113.201')
      .type('form')
      .send({ _csrf: csrf, email: user.email, password: user.password });
    expect(res.status).toBe(302);
    expect((await agent.get('/inbox')).status).toBe(200);
    expect(await sessionCount()).toBe(before + 1);
  });

  it('when the sign-in form token comes from another visitor (their cookie, not mine), then 403', async () => {
    const user = await makeUser(app.services.db);
    const other = /name="_csrf" value="([^"]+)"/.exec((await request(app.url).get('/login')).text)?.[1];
    const agent = request.agent(app.url);
    await agent.get('/login');
    const res = await agent
      .post('/login')
      .set('X-Forwarded-For', '203.0.113.202')
      .type('form')
      .send({ _csrf: other, email: user.email, password: user.password });
    expect(res.status).toBe(403);
    expect((await agent.get('/inbox')).status).toBe(302);
  });
});

let ipCounter = 0;
/** A signed-in console's cookie header (each sign-in from its own made-up address, so limits stay apart). */
async function signedIn(user: Awaited<ReturnType<typeof makeUser>>): Promise<string> {
  const agent = request.agent(app.url);
  const csrf = /name="_csrf" value="([^"]+)"/.exec((await agent.get('/login')).text)?.[1];
  const res = await agent
    .post('/login')
    .set('X-Forwarded-For', `198.51.100.${(ipCounter += 1)}`)
    .type('form')
    .send({ _csrf: csrf, email: user.email, password: user.password });
  const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('rl_session='));
  if (!cookie) throw new Error(`no session cookie after sign-in (${res.status})`);
  return cookie.split(';')[0]!;
}

/** Opens GET /events and resolves with its status once the headers are in; the stream stays open until close(). */
function openStream(cookie: string): Promise<{ status: number; body: Promise<string>; close(): Promise<void> }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${app.url}/events`, { headers: { cookie, accept: 'text/event-stream', 'accept-language': 'en' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      const ended = new Promise<string>((done) => res.once('end', () => done(text)).once('close', () => done(text)));
      resolve({
        status: res.statusCode ?? 0,
        body: ended,
        close: async () => {
          req.destroy();
          await ended;
        },
      });
    });
    req.on('error', reject);
  });
}

describe('live event streams', () => {
  it('when a user has LIVE_STREAMS_PER_USER streams open, then the next answers 429, another user still gets one, and a closed stream frees its place', async () => {
    const user = await makeUser(app.services.db);
    const cookie = await signedIn(user);
    const streams = [];
    for (let i = 0; i < LIVE_STREAMS_PER_USER; i += 1) streams.push(await openStream(cookie));
    expect(streams.map((s) => s.status)).toEqual(Array(LIVE_STREAMS_PER_USER).fill(200));

    const refused = await openStream(cookie);
    expect(refused.status).toBe(429);
    expect(await refused.body).toContain('Too many live connections');

    const other = await openStream(await signedIn(await makeUser(app.services.db)));
    expect(other.status).toBe(200);
    await other.close();

    await streams.pop()!.close();
    let again = await openStream(cookie);
    for (let tries = 0; again.status !== 200 && tries < 20; tries += 1) {
      // the server sees the close a moment later
      await new Promise((r) => setTimeout(r, 50));
      again = await openStream(cookie);
    }
    expect(again.status).toBe(200);
    await Promise.all([again, ...streams].map((s) => s.close()));
  });
});

describe('caching', () => {
  it('when pages, API answers or exports with customer data are served, then they say Cache-Control: no-store; static files and vendor scripts stay cacheable', async () => {
    const manager = await makeUser(app.services.db, { role: 'manager' });
    const cookie = await signedIn(manager);
    const page = (path: string) => request(app.url).get(path).set('Cookie', cookie);
    const answers = {
      inbox: await page('/inbox'),
      auditPage: await page('/audit'),
      auditCsv: await page('/audit/export.csv'),
      reportCsv: await page('/reports/sla/export.csv'),
      apiConversations: await request(app.url).get('/api/v1/conversations').auth(manager.token, { type: 'bearer' }),
      apiAuditCsv: await request(app.url).get('/api/v1/audit.csv').auth(manager.token, { type: 'bearer' }),
      apiUnauthorized: await request(app.url).get('/api/v1/conversations'),
      login: await request(app.url).get('/login'),
    };
    for (const [name, res] of Object.entries(answers)) {
      expect([name, res.status < 500, res.headers['cache-control']]).toEqual([name, true, 'no-store']);
    }
    for (const path of ['/static/app.css', '/vendor/htmx.min.js']) {
      const res = await request(app.url).get(path);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toMatch(/max-age=\d+/);
      expect(res.headers['cache-control']).not.toContain('no-store');
    }
  });
});

describe('names with bidirectional control characters', () => {
  const RLO = '\u202E';
  const LRI = '\u2066';
  const PDI = '\u2069';
  const BIDI = /[\u202A-\u202E\u2066-\u2069]/;

  it('when a contact name, a handle and a user name carry bidi overrides, then the pages show them neutralised and the stored rows keep them', async () => {
    const channel = await makeApiChannel(app.services.db, app.services.secretBox);
    const name = `Erika ${RLO}gnp.exe`;
    const handle = `${LRI}evil${PDI}`;
    const ingested = await request(app.url)
      .post(`/api/v1/channels/${channel.channelId}/messages`)
      .auth(channel.ingestToken, { type: 'bearer' })
      .send(inboundPost({ author: { externalId: `bidi-${Date.now()}`, name, handle }, text: 'Wo bleibt mein Paket?' }));
    expect(ingested.status).toBe(201);
    const agent = await makeUser(app.services.db, { role: 'agent', name: `Agent ${RLO}nimda` });
    const cookie = await signedIn(agent);

    const inbox = await request(app.url).get('/inbox').set('Cookie', cookie);
    const conversation = await request(app.url).get(`/conversations/${ingested.body.conversationId}`).set('Cookie', cookie);
    for (const page of [inbox, conversation]) {
      expect(page.status).toBe(200);
      expect(page.text).not.toMatch(BIDI);
      expect(page.text).toContain('Erika \uFFFDgnp.exe');
      expect(page.text).toContain('Agent \uFFFDnimda'); // the signed-in user's name in the header
    }
    expect(conversation.text).toContain('@\uFFFDevil\uFFFD');

    const stored = await app.services.db.selectFrom('contacts').select('name').where('name', '=', name).execute();
    expect(stored).toHaveLength(1);
  });
});
