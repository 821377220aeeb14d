/**
 * Sign-in, sessions, language, CSRF and the route × role matrix, through the real HTTP entry points
 * against this run's PostgreSQL and Redis.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { startTestApp, type TestApp } from '../support/testApp';
import { LOGIN_MAX_FAILURES_PER_EMAIL_AND_IP, LOGIN_MAX_FAILURES_PER_IP } from '../../server/middleware/loginRateLimit';
import { createApp } from '../../server/app';
import { startTrackedSearch } from '../../server/domain/channels/channelPolling';
import { systemActor } from '../../server/domain/audit/actor';

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.stop();
});

type Agent = TestAgent;
type User = Awaited<ReturnType<typeof makeUser>>;

/** Every sign-in failure counts against the client IP too; a made-up forwarded address per test keeps tests apart. */
let ipCounter = 0;
const freshIp = () => `198.51.100.${(ipCounter += 1)}`;

const csrfFrom = (html: string) => {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!token) throw new Error('no _csrf field on the page');
  return token;
};

const sessionCookie = (res: request.Response) => {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  return cookies.find((c) => c.startsWith('rl_session='));
};
const cookieValue = (setCookie: string | undefined) => setCookie?.split(';')[0];

async function loginPage(agent: Agent) {
  const page = await agent.get('/login');
  expect(page.status).toBe(200);
  return { page, csrf: csrfFrom(page.text) };
}

async function signIn(user: { email: string; password: string }, agent: Agent = request.agent(app.url)) {
  const { csrf } = await loginPage(agent);
  const res = await agent.post('/login').set('X-Forwarded-For', freshIp()).type('form').send({ _csrf: csrf, email: user.email, password: user.password });
  expect(res.status).toBe(302);
  return agent;
}

async function csrfOf(agent: Agent, path = '/inbox') {
  return csrfFrom((await agent.get(path)).text);
}

/** The server-side session id inside the signed cookie (`s:<sid>.<signature>`). */
async function sessionIdOf(agent: Agent): Promise<string> {
  const res = await agent.get('/inbox');
  const raw = decodeURIComponent(/rl_session=([^;]+)/.exec(String(res.request.cookies))?.[1] ?? '');
  const sid = /^s:(.+)\.[^.]+$/.exec(raw)?.[1];
  if (!sid) throw new Error(`no session cookie in ${res.request.cookies}`);
  return sid;
}
const sessionRows = async (sid: string) => (await app.services.pool.query('SELECT 1 FROM user_sessions WHERE sid = $1', [sid])).rowCount;

const isSignedIn = async (agent: Agent) => (await agent.get('/inbox')).status === 200;

async function ingest(channel: Awaited<ReturnType<typeof makeApiChannel>>, text?: string) {
  const res = await request(app.url)
    .post(`/api/v1/channels/${channel.channelId}/messages`)
    .auth(channel.ingestToken, { type: 'bearer' })
    .send(inboundPost(text ? { text } : {}));
  expect(res.status).toBe(201);
  return res.body as { conversationId: string; messageId: string; caseNumber: string };
}

const messagesWithText = async (text: string) =>
  Number(
    (
      await app.services.db
        .selectFrom('messages')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('text', '=', text)
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('sign-in', () => {
  it('when the password is right, then it redirects to /inbox and sets the session cookie; the sign-in page itself set none', async () => {
    const user = await makeUser(app.services.db, { role: 'agent' });
    const agent = request.agent(app.url);
    const { page, csrf } = await loginPage(agent);
    expect(sessionCookie(page)).toBeUndefined();

    const res = await agent.post('/login').set('X-Forwarded-For', freshIp()).type('form').send({ _csrf: csrf, email: user.email, password: user.password });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/inbox');
    expect(sessionCookie(res)).toBeDefined();
    expect(await isSignedIn(agent)).toBe(true);
  });

  it('when someone signs in on a browser that has a session, then the session id is new and the old one is worthless', async () => {
    const first = await makeUser(app.services.db, { role: 'agent' });
    const second = await makeUser(app.services.db, { role: 'agent' });
    const agent = request.agent(app.url);
    const { csrf } = await loginPage(agent);
    const firstLogin = await agent
      .post('/login')
      .set('X-Forwarded-For', freshIp())
      .type('form')
      .send({ _csrf: csrf, email: first.email, password: first.password });
    const before = cookieValue(sessionCookie(firstLogin));
    expect(before).toBeDefined();

    const res = await agent
      .post('/login')
      .set('X-Forwarded-For', freshIp())
      .type('form')
      .send({ _csrf: await csrfOf(agent), email: second.email, password: second.password });
    expect(res.status).toBe(302);
    const after = cookieValue(sessionCookie(res));
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    expect(await isSignedIn(agent)).toBe(true);

    const withOldCookie = await request(app.url).get('/inbox').set('Cookie', before!);
    expect(withOldCookie.status).toBe(302);
    expect(withOldCookie.headers.location).toMatch(/^\/login/);
  });

  it.each(['https://evil.example/', '//evil.example/', '/\\evil.example/'])('when the next address is %s, then sign-in still lands on /inbox', async (next) => {
    const user = await makeUser(app.services.db, { role: 'agent' });
    const agent = request.agent(app.url);
    const { csrf } = await loginPage(agent);
    const res = await agent
      .post('/login')
      .set('X-Forwarded-For', freshIp())
      .type('form')
      .send({ _csrf: csrf, email: user.email, password: user.password, next });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/inbox');
  });

  it('when the next address is a console path, then sign-in returns there', async () => {
    const user = await makeUser(app.services.db, { role: 'manager' });
    const agent = request.agent(app.url);
    const { csrf } = await loginPage(agent);
    const res = await agent
      .post('/login')
      .set('X-Forwarded-For', freshIp())
      .type('form')
      .send({ _csrf: csrf, email: user.email, password: user.password, next: '/audit?limit=5' });
    expect(res.headers.location).toBe('/audit?limit=5');
  });

  it('when the session cookie (at sign-in) and the visitor CSRF cookie (on the sign-in page) are set, then both are HttpOnly and SameSite=Lax', async () => {
    const agent = request.agent(app.url);
    const { page, csrf } = await loginPage(agent);
    const csrfCookie = ([] as string[]).concat(page.headers['set-cookie'] ?? []).find((c) => c.startsWith('rl_csrf='));
    const user = await makeUser(app.services.db, { role: 'agent' });
    const res = await agent.post('/login').set('X-Forwarded-For', freshIp()).type('form').send({ _csrf: csrf, email: user.email, password: user.password });
    for (const cookie of [sessionCookie(res), csrfCookie]) {
      expect(cookie).toMatch(/;\s*HttpOnly/i);
      expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    }
  });

  it('when the password is wrong, then 401 with the sign-in page, no session, and an auth.login_failed audit event', async () => {
    const user = await makeUser(app.services.db, { role: 'agent' });
    const agent = request.agent(app.url);
    const { csrf } = await loginPage(agent);
    const ip = freshIp();
    const res = await agent
      .post('/login')
      .set('X-Forwarded-For', ip)
      .set('Accept-Language', 'en')
      .type('form')
      .send({ _csrf: csrf, email: user.email, password: 'wrong-password' });
    expect(res.status).toBe(401);
    expect(res.text).toContain('E-mail or password is wrong.');
    expect(res.text).toContain('name="password"');
    expect(await isSignedIn(agent)).toBe(false);
    const events = await app.services.db
      .selectFrom('auditEvents')
      .selectAll()
      .where('action', '=', 'auth.login_failed')
      .where('actorLabel', '=', user.email)
      .execute();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ actorType: 'user', actorId: user.id, subjectId: user.id, ip });
  });

  it('when an e-mail had 10 failed attempts from one address, then the 11th from there is refused with 429 even with the right password', async () => {
    const user = await makeUser(app.services.db, { role: 'agent' });
    const agent = request.agent(app.url);
    const { csrf } = await loginPage(agent);
    const ip = freshIp();
    for (let i = 0; i < LOGIN_MAX_FAILURES_PER_EMAIL_AND_IP; i += 1) {
      const res = await agent
        .post('/login')
        .set('X-Forwarded-For', ip)
        .type('form')
        .send({ _csrf: csrf, email: user.email, password: `wrong-${i}` });
      expect(res.status).toBe(401);
    }
    const eleventh = await agent
      .post('/login')
      .set('X-Forwarded-For', ip)
      .set('Accept-Language', 'en')
      .type('form')
      .send({ _csrf: csrf, email: user.email.toUpperCase(), password: user.password });
    expect(eleventh.status).toBe(429);
    expect(eleventh.text).toContain('Too many sign-in attempts');
    expect(Number(eleventh.headers['retry-after'])).toBeGreaterThan(0);
    expect(await isSignedIn(agent)).toBe(false);

    const other = await makeUser(app.services.db, { role: 'agent' });
    expect(await isSignedIn(await signIn(other))).toBe(true);
  });

  it('when one address had LOGIN_MAX_FAILURES_PER_IP failed attempts, then it cannot sign in any account', async () => {
    const user = await makeUser(app.services.db, { role: 'agent' });
    const agent = request.agent(app.url);
    const { csrf } = await loginPage(agent);
    const ip = freshIp();
    await Promise.all(
      Array.from({ length: LOGIN_MAX_FAILURES_PER_IP }, (_, i) =>
        agent
          .post('/login')
          .set('X-Forwarded-For', ip)
          .type('form')
          .send({ _csrf: csrf, email: `nobody-${i}@example.test`, password: 'x' }),
      ),
    );
    const res = await agent.post('/login').set('X-Forwarded-For', ip).type('form').send({ _csrf: csrf, email: user.email, password: user.password });
    expect(res.status).toBe(429);
    expect(await isSignedIn(agent)).toBe(false);
  }, 120_000); // 50 full scrypt runs: slow on two busy cores

  it('when a user logs out, then the session is destroyed on the server and the cookie no longer signs in', async () => {
    const user = await makeUser(app.services.db, { role: 'agent' });
    const agent = await signIn(user);
    const page = await agent.get('/inbox');
    const sid = await sessionIdOf(agent);
    expect(await sessionRows(sid)).toBe(1);
    const res = await agent
      .post('/logout')
      .type('form')
      .send({ _csrf: csrfFrom(page.text) });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/login');
    expect(await sessionRows(sid)).toBe(0);
    expect(await isSignedIn(agent)).toBe(false);
    const logout = await app.services.db
      .selectFrom('auditEvents')
      .select('actorLabel')
      .where('action', '=', 'auth.logout')
      .where('actorId', '=', user.id)
      .execute();
    expect(logout).toEqual([{ actorLabel: user.email }]);
  });
});

describe('language', () => {
  it('when a visitor is not signed in, then the sign-in page follows Accept-Language', async () => {
    const en = await request(app.url).get('/login').set('Accept-Language', 'en-US,en;q=0.9');
    expect(en.text).toContain('<html lang="en">');
    expect(en.text).toContain('Sign in');
    const de = await request(app.url).get('/login').set('Accept-Language', 'de-DE,de;q=0.9');
    expect(de.text).toContain('<html lang="de">');
    expect(de.text).toContain('Anmelden');
    expect(de.text).not.toContain('Sign in');
  });

  it('when a user switches to English, then the console is English, and still is after signing out and in again on a fresh browser', async () => {
    const user = await makeUser(app.services.db, { role: 'agent', locale: 'de' });
    const agent = await signIn(user);
    const german = await agent.get('/inbox');
    expect(german.text).toContain('Posteingang');
    expect(german.text).toContain('<html lang="de">');

    const res = await agent
      .post('/locale')
      .type('form')
      .send({ _csrf: csrfFrom(german.text), locale: 'en', back: '/inbox' });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/inbox');
    const english = await agent.get('/inbox');
    expect(english.text).toContain('<html lang="en">');
    expect(english.text).toContain('<h1>Inbox</h1>');
    expect(english.text).not.toContain('Posteingang');

    await agent
      .post('/logout')
      .type('form')
      .send({ _csrf: csrfFrom(english.text) });
    const again = await signIn(user); // a new cookie jar: no rl_locale cookie
    const page = await again.get('/inbox').set('Accept-Language', 'de-DE');
    expect(page.text).toContain('<h1>Inbox</h1>');
    expect((await app.services.db.selectFrom('users').select('locale').where('id', '=', user.id).executeTakeFirstOrThrow()).locale).toBe('en');
  });

  it('when the language is switched on a conversation page, then the user comes back to that page', async () => {
    const channel = await makeApiChannel(app.services.db, app.services.secretBox);
    const { conversationId } = await ingest(channel);
    const agent = await signIn(await makeUser(app.services.db, { locale: 'de' }));
    const page = await agent.get(`/conversations/${conversationId}`);
    const back = /name="back" value="([^"]*)"/.exec(page.text)?.[1];
    expect(back).toBe(`/conversations/${conversationId}`);
    const res = await agent
      .post('/locale')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), locale: 'en', back });
    expect(res.headers.location).toBe(`/conversations/${conversationId}`);
  });

  it('when the language value is not one we ship, then nothing changes', async () => {
    const user = await makeUser(app.services.db, { role: 'agent', locale: 'de' });
    const agent = await signIn(user);
    await agent
      .post('/locale')
      .type('form')
      .send({ _csrf: await csrfOf(agent), locale: 'fr', back: '/inbox' });
    expect((await agent.get('/inbox')).text).toContain('Posteingang');
  });
});

describe('CSRF', () => {
  let channel: Awaited<ReturnType<typeof makeApiChannel>>;
  beforeAll(async () => {
    channel = await makeApiChannel(app.services.db, app.services.secretBox);
  });

  it('when POST /login comes without the token (or a wrong one), then 403 and nobody is signed in; with the token it works', async () => {
    const user = await makeUser(app.services.db, { role: 'agent' });
    const agent = request.agent(app.url);
    const { csrf } = await loginPage(agent);
    const creds = { email: user.email, password: user.password };
    expect((await agent.post('/login').set('X-Forwarded-For', freshIp()).type('form').send(creds)).status).toBe(403);
    expect(
      (
        await agent
          .post('/login')
          .set('X-Forwarded-For', freshIp())
          .type('form')
          .send({ ...creds, _csrf: csrf.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) })
      ).status,
    ).toBe(403);
    expect(await isSignedIn(agent)).toBe(false);
    expect(
      (
        await agent
          .post('/login')
          .set('X-Forwarded-For', freshIp())
          .type('form')
          .send({ ...creds, _csrf: csrf })
      ).status,
    ).toBe(302);
    expect(await isSignedIn(agent)).toBe(true);
  });

  it('when POST /logout comes without the token, then 403 and the session lives on; with the token it ends', async () => {
    const agent = await signIn(await makeUser(app.services.db));
    expect((await agent.post('/logout').type('form').send({})).status).toBe(403);
    expect(await isSignedIn(agent)).toBe(true);
    expect(
      (
        await agent
          .post('/logout')
          .type('form')
          .send({ _csrf: await csrfOf(agent) })
      ).status,
    ).toBe(302);
    expect(await isSignedIn(agent)).toBe(false);
  });

  it('when POST /locale comes without the token, then 403 and the language stays; with the token it changes', async () => {
    const user = await makeUser(app.services.db, { locale: 'de' });
    const agent = await signIn(user);
    const res = await agent.post('/locale').type('form').send({ locale: 'en', back: '/inbox' });
    expect(res.status).toBe(403);
    expect(([] as string[]).concat(res.headers['set-cookie'] ?? []).some((c) => c.startsWith('rl_locale='))).toBe(false);
    const locale = async () => (await app.services.db.selectFrom('users').select('locale').where('id', '=', user.id).executeTakeFirstOrThrow()).locale;
    expect(await locale()).toBe('de');
    expect(
      (
        await agent
          .post('/locale')
          .type('form')
          .send({ locale: 'en', back: '/inbox', _csrf: await csrfOf(agent) })
      ).status,
    ).toBe(302);
    expect(await locale()).toBe('en');
  });

  it('when a reply is posted without the token, then 403 and no message is stored; with the token it is queued', async () => {
    const { conversationId } = await ingest(channel);
    const agent = await signIn(await makeUser(app.services.db, { role: 'agent' }));
    const text = `csrf-check ${randomUUID()}`;
    const denied = await agent.post(`/conversations/${conversationId}/replies`).type('form').send({ text });
    expect(denied.status).toBe(403);
    expect(await messagesWithText(text)).toBe(0);
    const csrf = await csrfOf(agent, `/conversations/${conversationId}`);
    expect(
      (
        await agent
          .post(`/conversations/${conversationId}/replies`)
          .type('form')
          .send({ text, _csrf: 'x'.repeat(csrf.length) })
      ).status,
    ).toBe(403);
    expect(await messagesWithText(text)).toBe(0);
    const ok = await agent.post(`/conversations/${conversationId}/replies`).type('form').send({ text, _csrf: csrf });
    expect(ok.status).toBe(303);
    expect(await messagesWithText(text)).toBe(1);
  });

  it('when htmx sends the token as the x-csrf-token header, then the reply is accepted', async () => {
    const { conversationId } = await ingest(channel);
    const agent = await signIn(await makeUser(app.services.db, { role: 'agent' }));
    const text = `csrf-header ${randomUUID()}`;
    const res = await agent
      .post(`/conversations/${conversationId}/replies`)
      .set('HX-Request', 'true')
      .set('x-csrf-token', await csrfOf(agent, `/conversations/${conversationId}`))
      .type('form')
      .send({ text });
    expect(res.status).toBe(200);
    expect(await messagesWithText(text)).toBe(1);
  });
});

/*
 * Route × role, from server/domain/auth/permissions.ts:
 *   agent:   conversation.read, conversation.reply
 *   manager: conversation.read, conversation.reply, audit.read, settings.manage
 *   auditor: conversation.read, audit.read
 *   admin:   conversation.read, audit.read, settings.manage
 * Console: allowed GET → 200, allowed reply → 303 (redirect to the thread), denied → 403, anonymous → 302 to /login.
 * API: allowed GET → 200, allowed reply → 202, denied → 403, anonymous → 401.
 */
type Who = 'agent' | 'manager' | 'auditor' | 'admin' | 'anonymous';
const WHO: Who[] = ['agent', 'manager', 'auditor', 'admin', 'anonymous'];
/** `[agent, manager, auditor, admin, anonymous]` → a matrix row. */
const row = (agent: number, manager: number, auditor: number, admin: number, anonymous: number): Record<Who, number> => ({
  agent,
  manager,
  auditor,
  admin,
  anonymous,
});
const MATRIX: Record<string, Record<Who, number>> = {
  'GET /inbox': { agent: 200, manager: 200, auditor: 200, admin: 200, anonymous: 302 },
  'GET /conversations/:id': { agent: 200, manager: 200, auditor: 200, admin: 200, anonymous: 302 },
  'POST /conversations/:id/replies': { agent: 303, manager: 303, auditor: 403, admin: 403, anonymous: 302 },
  'GET /audit': { agent: 403, manager: 200, auditor: 200, admin: 200, anonymous: 302 },
  'GET /api/v1/conversations': { agent: 200, manager: 200, auditor: 200, admin: 200, anonymous: 401 },
  'GET /api/v1/conversations/:id': { agent: 200, manager: 200, auditor: 200, admin: 200, anonymous: 401 },
  'POST /api/v1/conversations/:id/replies': { agent: 202, manager: 202, auditor: 403, admin: 403, anonymous: 401 },
  'GET /api/v1/audit': { agent: 403, manager: 200, auditor: 200, admin: 200, anonymous: 401 },
  // Everything else, each with a request that succeeds for an allowed role (BODIES below). Where an allowed role gets a
  // 400/404 the fixture is an API channel or an empty bulk selection: the request passed the role check (denied roles get 403).
  'GET /': row(302, 302, 302, 302, 302),
  'GET /healthz': row(200, 200, 200, 200, 200),
  'GET /vendor/htmx.min.js': row(200, 200, 200, 200, 200),
  'GET /vendor/htmx-sse.js': row(200, 200, 200, 200, 200),
  'GET /vendor/chart.umd.js': row(200, 200, 200, 200, 200),
  'GET /widget/v1/widget.js': row(200, 200, 200, 200, 200),
  'GET /conversations/:id/thread': row(200, 200, 200, 200, 302),
  'GET /conversations/:id/reply-window': row(200, 200, 200, 200, 302),
  'GET /conversations/:id/presence': row(200, 200, 200, 200, 302),
  'GET /conversations/:id/canned': row(200, 200, 403, 403, 302),
  'GET /conversations/:id/canned/:cannedId': row(200, 200, 403, 403, 302),
  'POST /conversations/:id/typing': row(204, 204, 403, 403, 302),
  'POST /conversations/:id/viewing': row(204, 204, 204, 204, 302),
  'GET /conversations/:id/head': row(200, 200, 200, 200, 302),
  // Every role reads conversations; the fixture names no attachment (messageAttachments.test.ts serves real ones).
  'GET /conversations/:id/attachments/:attachmentId': row(404, 404, 404, 404, 302),
  'POST /conversations/:id/template-replies': row(400, 400, 403, 403, 302),
  'POST /conversations/:id/assign': row(303, 303, 403, 403, 302),
  'POST /conversations/:id/status': row(303, 303, 403, 403, 302),
  'POST /conversations/:id/notes': row(303, 303, 403, 403, 302),
  'POST /conversations/:id/tags': row(303, 303, 403, 403, 302),
  'POST /conversations/:id/priority': row(303, 303, 403, 403, 302),
  // a website chat's facts, accepting and ending it: the matrix's conversation is no chat (webchatConsole.test.ts)
  'GET /conversations/:id/chat': row(404, 404, 404, 404, 302),
  'POST /conversations/:id/chat/accept': row(404, 404, 403, 403, 302),
  'POST /conversations/:id/chat/end': row(404, 404, 403, 403, 302),
  // a call attempt on a conversation that is no callback request (callbacks.test.ts has the rest)
  'POST /conversations/:id/callback-attempts': row(404, 404, 403, 403, 302),
  'POST /conversations/:id/messages/:messageId/breach-reason': row(403, 409, 403, 409, 302),
  // The message given is the customer's post, not a reply: no reply to decide about (faults.workerKill.test.ts has the real case).
  'POST /conversations/:id/messages/:messageId/delivery': row(404, 404, 403, 403, 302),
  'POST /inbox/bulk': row(400, 400, 403, 403, 302),
  'POST /saved-views': row(303, 303, 303, 303, 302),
  'POST /saved-views/:id/delete': row(303, 303, 303, 303, 302),
  'GET /notifications': row(200, 200, 200, 200, 302),
  'GET /notifications/bell': row(200, 200, 200, 200, 302),
  'POST /notifications/read': row(303, 303, 303, 303, 302),
  'GET /colleagues': row(200, 200, 200, 200, 302),
  'GET /audit/export.csv': row(403, 200, 200, 200, 302),
  'POST /audit/verify': row(403, 403, 303, 303, 302),
  'GET /settings/canned-responses': row(403, 200, 403, 403, 302),
  'POST /settings/canned-responses': row(403, 303, 403, 403, 302),
  'POST /settings/canned-responses/:cannedId': row(403, 303, 403, 403, 302),
  'GET /settings/sla': row(200, 200, 200, 200, 302),
  'POST /settings/sla/calendars': row(403, 303, 403, 303, 302),
  'POST /settings/sla/calendars/:id': row(403, 303, 403, 303, 302),
  'POST /settings/sla/policies': row(403, 303, 403, 303, 302),
  'POST /settings/sla/policies/:id': row(403, 303, 403, 303, 302),
  'POST /settings/sla/channels/:id': row(403, 303, 403, 303, 302),
  'POST /settings/sla/calendars/:id/retire': row(403, 303, 403, 303, 302),
  'POST /settings/sla/policies/:id/retire': row(403, 303, 403, 303, 302),
  'POST /settings/sla/topics/:id': row(403, 303, 403, 303, 302),
  'POST /settings/canned-responses/:cannedId/retire': row(403, 303, 403, 403, 302),
  'GET /settings/channels': row(403, 200, 403, 200, 302),
  'GET /settings/channels/:id/health': row(403, 200, 403, 200, 302),
  'POST /settings/channels/:kind': row(403, 400, 403, 400, 302),
  'POST /settings/channels/:id/test': row(403, 200, 403, 200, 302),
  'POST /settings/channels/:id/ingest-token': row(403, 200, 403, 200, 302),
  'POST /settings/channels/:id/details': row(403, 303, 403, 303, 302),
  'POST /settings/channels/:id/pause': row(403, 303, 403, 303, 302),
  'POST /settings/channels/:id/resume': row(403, 303, 403, 303, 302),
  'POST /settings/channels/:id/interval': row(403, 303, 403, 303, 302),
  'POST /settings/channels/:id/poll-now': row(403, 404, 403, 404, 302),
  'POST /settings/channels/:id/searches': row(403, 400, 403, 400, 302),
  'POST /settings/channels/:id/searches/:topicId/remove': row(403, 404, 403, 404, 302),
  'POST /settings/channels/:id/templates': row(403, 404, 403, 404, 302),
  'POST /settings/channels/:id/credentials': row(403, 400, 403, 400, 302),
  'POST /settings/channels/:id/settings': row(403, 400, 403, 400, 302),
  // the fixture channel takes no bot (an API channel): the role check passed, then 400
  'POST /settings/channels/:id/bot': row(403, 400, 403, 400, 302),
  'GET /settings/users': row(403, 403, 403, 200, 302),
  'POST /settings/users': row(403, 403, 403, 400, 302),
  'POST /settings/teams': row(403, 403, 403, 400, 302),
  // A user id that names nobody (the fixture is a channel id): the role check passed, then 404.
  'GET /settings/users/:userId': row(403, 403, 403, 404, 302),
  'POST /settings/users/:userId/role': row(403, 403, 403, 404, 302),
  'POST /settings/users/:userId/deactivate': row(403, 403, 403, 404, 302),
  'POST /settings/users/:userId/reactivate': row(403, 403, 403, 404, 302),
  'POST /settings/users/:userId/password-link': row(403, 403, 403, 404, 302),
  'POST /settings/users/:userId/teams': row(403, 403, 403, 404, 302),
  'POST /settings/users/:userId/teams/:teamId/leave': row(403, 403, 403, 404, 302),
  'POST /settings/users/:userId/tokens/:tokenId/revoke': row(403, 403, 403, 404, 302),
  'GET /reports': row(403, 302, 302, 302, 302),
  'GET /reports/sla': row(403, 200, 200, 200, 302),
  'GET /reports/sla/posts': row(403, 200, 200, 200, 302),
  'GET /reports/response-times': row(403, 200, 200, 200, 302),
  'GET /reports/volume': row(403, 200, 200, 200, 302),
  'GET /reports/backlog': row(403, 200, 200, 200, 302),
  'GET /reports/people': row(403, 200, 200, 200, 302),
  'GET /reports/:report/export.csv': row(403, 200, 200, 200, 302),
  'GET /monitoring': row(403, 200, 200, 200, 302),
  'GET /monitoring/posts': row(403, 200, 200, 200, 302),
  'GET /monitoring/export.csv': row(403, 200, 200, 200, 302),
  'GET /monitoring/queries': row(403, 200, 403, 200, 302),
  'GET /monitoring/queries/check': row(403, 200, 403, 200, 302),
  'POST /monitoring/queries': row(403, 303, 403, 303, 302),
  'POST /monitoring/queries/:queryId': row(403, 303, 403, 303, 302),
  'POST /monitoring/queries/:queryId/active': row(403, 303, 403, 303, 302),
  'POST /monitoring/queries/:queryId/backfill': row(403, 200, 403, 200, 302),
  'POST /api/v1/conversations/:id/assign': row(200, 200, 403, 403, 401),
  'POST /api/v1/conversations/:id/status': row(200, 200, 403, 403, 401),
  'POST /api/v1/conversations/:id/notes': row(201, 201, 403, 403, 401),
  'POST /api/v1/conversations/:id/tags': row(200, 200, 403, 403, 401),
  'POST /api/v1/conversations/:id/priority': row(200, 200, 403, 403, 401),
  'POST /api/v1/conversations/:id/replies/:messageId/delivery': row(404, 404, 403, 403, 401),
  'GET /api/v1/canned-responses': row(200, 200, 200, 200, 401),
  'POST /api/v1/canned-responses': row(403, 201, 403, 403, 401),
  'POST /api/v1/canned-responses/:id': row(403, 200, 403, 403, 401),
  'GET /api/v1/notifications': row(200, 200, 200, 200, 401),
  'GET /api/v1/audit.csv': row(403, 200, 200, 200, 401),
  'POST /api/v1/calendars': row(403, 201, 403, 201, 401),
  'GET /api/v1/calendars/:id': row(200, 200, 200, 200, 401),
  'PUT /api/v1/calendars/:id': row(403, 200, 403, 200, 401),
  'POST /api/v1/sla-policies': row(403, 201, 403, 201, 401),
  'GET /api/v1/sla-policies/:id': row(200, 200, 200, 200, 401),
  'PUT /api/v1/sla-policies/:id': row(403, 200, 403, 200, 401),
  'PATCH /api/v1/channels/:id': row(403, 200, 403, 200, 401),
  'GET /api/v1/reports/sla': row(403, 200, 200, 200, 401),
  'GET /api/v1/reports/:file': row(403, 200, 200, 200, 401),
  // A user's token is not a channel's ingest token: 401 for everyone (apiChannel.test.ts has the channel's side).
  'POST /api/v1/channels/:channelId/messages': row(401, 401, 401, 401, 401),
  'POST /api/v1/channels/:channelId/messages/batch': row(401, 401, 401, 401, 401),
  // Signed by Meta, not by a user: without the verify token / signature everyone is refused (whatsapp.test.ts).
  'GET /webhooks/whatsapp/': row(403, 403, 403, 403, 403),
  'POST /webhooks/whatsapp/': row(401, 401, 401, 401, 401),
  'GET /webhooks/meta/': row(403, 403, 403, 403, 403),
  'POST /webhooks/meta/': row(401, 401, 401, 401, 401),
  'GET /webhooks/x/': row(403, 403, 403, 403, 403),
  'POST /webhooks/x/': row(401, 401, 401, 401, 401),
  // A team's default slots (settings.manage); the path's team does not exist, so allowed roles get 404 after the role check.
  'POST /settings/routing/teams/:teamId': row(403, 404, 403, 404, 302),
  'PATCH /api/v1/teams/:id': row(403, 404, 403, 404, 401),
  // The matrix's conversation is on a channel without comment moderation: refused with the reason (metaChannels.test.ts has the real case).
  'POST /conversations/:id/messages/:messageId/moderation': row(400, 400, 403, 403, 302),
  'DELETE /api/v1/absences/:id': row(403, 404, 403, 404, 401),
  'GET /api/v1/absences': row(200, 200, 200, 200, 401),
  'GET /api/v1/alert-rules': row(403, 200, 403, 200, 401),
  'GET /api/v1/alerts': row(200, 200, 200, 200, 401),
  'GET /api/v1/contacts/:id': row(404, 404, 404, 404, 401),
  'GET /api/v1/contacts/:id/export': row(403, 404, 403, 404, 401),
  'GET /api/v1/listening-queries': row(403, 200, 200, 200, 401),
  'GET /api/v1/listening-queries/:id/volume': row(403, 404, 404, 404, 401),
  'GET /api/v1/monitoring/channels': row(403, 200, 200, 200, 401),
  'GET /api/v1/push/vapid-public-key': row(200, 200, 200, 200, 401),
  'GET /api/v1/queues': row(403, 200, 200, 200, 401),
  'GET /availability': row(200, 200, 403, 403, 302),
  'GET /contacts/:id': row(404, 404, 404, 404, 302),
  'GET /contacts/:id/export.html': row(403, 404, 403, 404, 302),
  'GET /contacts/:id/export.json': row(403, 404, 403, 404, 302),
  'GET /inbox/:id': row(404, 404, 404, 404, 302),
  'GET /inbox/views': row(200, 200, 200, 200, 302),
  'GET /queues': row(403, 200, 200, 200, 302),
  'GET /settings/routing': row(403, 200, 403, 200, 302),
  'PATCH /api/v1/channels/:channelId': row(403, 400, 403, 400, 401),
  'PATCH /api/v1/contacts/:id': row(404, 404, 403, 403, 401),
  'PATCH /api/v1/users/:id': row(403, 400, 403, 403, 401),
  'POST /alerts/:alertId/ack': row(404, 404, 404, 404, 302),
  'POST /api/v1/absences': row(403, 400, 403, 400, 401),
  'POST /api/v1/alert-rules': row(403, 400, 403, 400, 401),
  'POST /api/v1/alerts/:id/ack': row(409, 409, 409, 409, 401),
  'POST /api/v1/contact-merges/:mergeId/undo': row(404, 404, 403, 403, 401),
  'POST /api/v1/contacts/:id/erasure': row(403, 400, 403, 400, 401),
  'POST /api/v1/contacts/:id/merge': row(400, 400, 403, 403, 401),
  'POST /api/v1/conversations/next': row(409, 409, 403, 403, 401),
  'POST /api/v1/listening-queries': row(403, 400, 403, 400, 401),
  'POST /api/v1/listening-queries/:id/backfill': row(403, 400, 403, 400, 401),
  'POST /api/v1/messages/:messageId/sentiment': row(400, 400, 403, 403, 401),
  'POST /api/v1/push-subscriptions': row(400, 400, 400, 400, 401),
  'POST /availability': row(400, 400, 403, 403, 302),
  'POST /contacts/:id': row(404, 404, 403, 403, 302),
  'POST /contacts/:id/erasure': row(403, 404, 403, 404, 302),
  'POST /contacts/:id/merge': row(404, 404, 403, 403, 302),
  'POST /contacts/:id/merges/:mergeId/undo': row(404, 404, 403, 403, 302),
  'POST /conversations/:id/messages/:messageId/sentiment': row(400, 400, 403, 403, 302),
  'POST /conversations/next': row(409, 409, 403, 403, 302),
  'POST /settings/routing/agents/:userId': row(403, 404, 403, 403, 302),
  'POST /settings/routing/channels/:channelId': row(403, 400, 403, 400, 302),
  'PUT /api/v1/alert-settings': row(403, 400, 403, 400, 401),
  'PUT /api/v1/users/:id/presence': row(400, 400, 403, 403, 401),
  // reply approval (four-eyes): approvers only — managers, and agents named to approve (the matrix's agent is not)
  'GET /approvals': row(403, 200, 403, 403, 302),
  'GET /approvals/count': row(403, 200, 403, 403, 302),
  'POST /approvals/:id/approve': row(403, 404, 403, 403, 302),
  'POST /approvals/:id/reject': row(403, 404, 403, 403, 302),
  'GET /api/v1/replies': row(403, 200, 403, 403, 401),
  'POST /api/v1/replies/:id/approve': row(403, 404, 403, 403, 401),
  'POST /api/v1/replies/:id/reject': row(403, 404, 403, 403, 401),
  'POST /settings/users/:userId/approval': row(403, 403, 403, 404, 302),
  'POST /settings/channels/:id/approval': row(403, 303, 403, 303, 302),
  'POST /settings/channels/:id/case-footer': row(403, 303, 403, 303, 302),
  // alert rules, SMTP and report e-mails (settings.manage; report subscriptions: reports.read), push opt-in (everyone)
  'PUT /api/v1/alert-rules/:ruleId': row(403, 400, 403, 400, 401),
  'DELETE /api/v1/alert-rules/:ruleId': row(403, 404, 403, 404, 401),
  'GET /api/v1/alert-settings': row(403, 200, 403, 200, 401),
  // no SMTP server is set up in the matrix's database: the test e-mail is refused with the reason
  'POST /api/v1/alert-settings/test': row(403, 422, 403, 422, 401),
  'DELETE /api/v1/push-subscriptions': row(400, 400, 400, 400, 401),
  'GET /api/v1/report-subscriptions': row(403, 200, 200, 200, 401),
  'POST /api/v1/report-subscriptions': row(403, 400, 400, 400, 401),
  'DELETE /api/v1/report-subscriptions/:subscriptionId': row(403, 404, 404, 404, 401),
  'GET /settings/alerts': row(403, 200, 403, 200, 302),
  'POST /settings/alerts/rules': row(403, 400, 403, 400, 302),
  'POST /settings/alerts/rules/:ruleId': row(403, 400, 403, 400, 302),
  'POST /settings/alerts/rules/:ruleId/delete': row(403, 404, 403, 404, 302),
  'POST /settings/alerts/smtp': row(403, 400, 403, 400, 302),
  'POST /settings/alerts/smtp/test': row(403, 400, 403, 400, 302),
  'POST /settings/alerts/reports': row(403, 400, 403, 400, 302),
  'POST /settings/alerts/reports/:subscriptionId/delete': row(403, 404, 403, 404, 302),
  'GET /push/vapid-public-key': row(200, 200, 200, 200, 302),
  'POST /push-subscriptions': row(400, 400, 400, 400, 302),
  'POST /push-subscriptions/remove': row(400, 400, 400, 400, 302),
  // multi-step cases: a made-up task id names nothing (404) once the role may work on tasks
  'POST /api/v1/conversations/:id/tasks': row(400, 400, 403, 403, 401),
  'POST /api/v1/tasks/:taskId/complete': row(404, 404, 403, 403, 401),
  'POST /api/v1/tasks/:taskId/reopen': row(404, 404, 403, 403, 401),
  'GET /api/v1/tasks': row(200, 200, 403, 403, 401),
  'POST /conversations/:id/tasks': row(303, 303, 403, 403, 302),
  'POST /conversations/:id/tasks/:taskId/complete': row(404, 404, 403, 403, 302),
  'POST /conversations/:id/tasks/:taskId/reopen': row(404, 404, 403, 403, 302),
  'GET /tasks': row(200, 200, 403, 403, 302),
  'POST /tasks/:taskId/complete': row(404, 404, 403, 403, 302),
  // the public widget API: a console session or API token opens nothing there — an unknown site and a chat without
  // its visitor token are 404 for everyone (origins, tokens, limits and errors: widgetApi.test.ts)
  'GET /widget/v1/sites/:siteId/config': row(404, 404, 404, 404, 404),
  'GET /widget/v1/sites/:siteId/availability': row(404, 404, 404, 404, 404),
  'POST /widget/v1/sites/:siteId/invitations': row(404, 404, 404, 404, 404),
  'POST /widget/v1/sites/:siteId/conversations': row(404, 404, 404, 404, 404),
  'POST /widget/v1/sites/:siteId/offline': row(404, 404, 404, 404, 404),
  'GET /widget/v1/sites/:siteId/callbacks/options': row(404, 404, 404, 404, 404),
  'POST /widget/v1/sites/:siteId/callbacks': row(404, 404, 404, 404, 404),
  'GET /widget/v1/conversations/:id/messages': row(404, 404, 404, 404, 404),
  'POST /widget/v1/conversations/:id/messages': row(404, 404, 404, 404, 404),
  'POST /widget/v1/conversations/:id/typing': row(404, 404, 404, 404, 404),
  'POST /widget/v1/conversations/:id/read': row(404, 404, 404, 404, 404),
  'POST /widget/v1/conversations/:id/end': row(404, 404, 404, 404, 404),
  'POST /widget/v1/conversations/:id/transcript': row(404, 404, 404, 404, 404),
  'POST /widget/v1/conversations/:id/bot': row(404, 404, 404, 404, 404),
  'GET /widget/v1/conversations/:id/events': row(404, 404, 404, 404, 404),
  // knowledge base: managers write (an empty form is refused, a made-up article is 404), everyone who reads conversations reads and searches
  'GET /settings/knowledge': row(403, 200, 403, 403, 302),
  'GET /settings/knowledge/new': row(403, 200, 403, 403, 302),
  'GET /settings/knowledge/:articleId': row(403, 404, 403, 403, 302),
  'POST /settings/knowledge': row(403, 400, 403, 403, 302),
  'POST /settings/knowledge/preview': row(403, 200, 403, 403, 302),
  'POST /settings/knowledge/:articleId': row(403, 404, 403, 403, 302),
  'GET /api/v1/knowledge/articles': row(200, 200, 200, 200, 401),
  'GET /api/v1/knowledge/articles/:id': row(404, 404, 404, 404, 401),
  'GET /api/v1/knowledge/search': row(200, 200, 200, 200, 401),
  'POST /api/v1/knowledge/articles': row(403, 400, 403, 403, 401),
  'PATCH /api/v1/knowledge/articles/:id': row(403, 404, 403, 403, 401),
  // public pages, no sign-in: a made-up chat site has no help page; a made-up case is not found, alike for everyone
  'GET /help/:siteId': row(404, 404, 404, 404, 404),
  'GET /help/:siteId/articles/:articleId': row(404, 404, 404, 404, 404),
  'POST /help/:siteId/articles/:articleId/feedback': row(404, 404, 404, 404, 404),
  'GET /case': row(200, 200, 200, 200, 200),
  'POST /case': row(404, 404, 404, 404, 404),
  'GET /case/:caseNumber': row(404, 404, 404, 404, 404),
  // website chat: chat sites (settings.manage) and the chat service level (reports.read)
  'GET /api/v1/chat-sites': row(403, 200, 403, 200, 401),
  'POST /api/v1/chat-sites': row(403, 201, 403, 201, 401),
  'GET /api/v1/chat-sites/:id': row(403, 200, 403, 200, 401),
  'PATCH /api/v1/chat-sites/:id': row(403, 200, 403, 200, 401),
  'GET /api/v1/reports/chat': row(403, 200, 200, 200, 401),
  'GET /api/v1/reports/self-service': row(403, 200, 200, 200, 401),
  'GET /api/v1/reports/callbacks': row(403, 200, 200, 200, 401),
  'GET /settings/chat-sites': row(403, 200, 403, 200, 302),
  'POST /settings/chat-sites': row(403, 303, 403, 303, 302),
  'GET /settings/chat-sites/:siteId': row(403, 200, 403, 200, 302),
  'POST /settings/chat-sites/:siteId': row(403, 303, 403, 303, 302),
};

/**
 * Routes the matrix does not request, each with where it is tested: they change the caller's own
 * session, stream forever, or are the demo's stand-ins for remote services (not mounted in production).
 */
const COVERED_ELSEWHERE: Record<string, string> = {
  'GET /login': 'sign-in, above',
  'POST /login': 'sign-in and CSRF, above',
  'POST /logout': 'sign-in and CSRF, above',
  'POST /locale': 'language and CSRF, above',
  'GET /events': 'live.test.ts (SSE stream)',
  'GET /password': 'userAdministration.test.ts (invitation and reset links, no session)',
  'POST /password': 'userAdministration.test.ts (invitation and reset links, no session)',
  'OPTIONS /widget/v1/sites/:siteId/*splat': 'widgetApi.test.ts (CORS preflight of the allowed origin; others 403)',
  'OPTIONS /widget/v1/conversations/:id/*splat': 'widgetApi.test.ts (CORS preflight of the allowed origin; others 403)',
  'POST /demo/api-sink': 'demo only',
  'POST /demo/graph/:phoneNumberId/messages': 'demo only',
  'GET /demo/x-api/2/users/:id/mentions': 'demo only',
  'GET /demo/x-api/2/tweets/search/recent': 'demo only',
  'GET /demo/x-api/2/dm_events': 'demo only',
  'POST /demo/x-api/2/tweets': 'demo only',
  'POST /demo/x-api/2/dm_conversations/with/:participantId/messages': 'demo only',
};

/** Every route the Express app registers, as "METHOD /full/path", walking the router stacks (Express 5 keeps the mount path as rawPath). */
function registeredRoutes(): string[] {
  type Layer = { route?: { path: string | string[]; methods: Record<string, boolean> }; rawPath?: unknown; handle?: { stack?: Layer[] } };
  const out: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const p of ([] as string[]).concat(layer.route.path)) {
          for (const m of Object.keys(layer.route.methods)) if (m !== '_all') out.push(`${m.toUpperCase()} ${prefix}${p}`);
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack, prefix + (typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : ''));
      }
    }
  };
  walk((createApp(app.services) as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return [...new Set(out)].sort();
}

describe('route × role matrix', () => {
  const who: Partial<Record<Who, { user: User | null; agent: Agent; csrf: string }>> = {};
  let conversationId: string;

  beforeAll(async () => {
    const channel = await makeApiChannel(app.services.db, app.services.secretBox);
    ({ conversationId } = await ingest(channel));
    for (const w of WHO) {
      if (w === 'anonymous') {
        const agent = request.agent(app.url);
        who[w] = { user: null, agent, csrf: (await loginPage(agent)).csrf };
      } else {
        const user = await makeUser(app.services.db, { role: w });
        const agent = await signIn(user);
        who[w] = { user, agent, csrf: await csrfOf(agent) };
      }
    }
  });

  const ORIGINAL = new Set([
    'GET /inbox',
    'GET /conversations/:id',
    'POST /conversations/:id/replies',
    'GET /audit',
    'GET /api/v1/conversations',
    'GET /api/v1/conversations/:id',
    'POST /api/v1/conversations/:id/replies',
    'GET /api/v1/audit',
  ]);
  const fixtures = { channelId: '', calendarId: '', policyId: '', cannedId: '', topicId: '', queryId: '', chatSiteId: '' };
  beforeAll(async () => {
    const manager = who.manager!.user!;
    const api = (path: string, body: object) => request(app.url).post(`/api/v1${path}`).auth(manager.token, { type: 'bearer' }).send(body);
    fixtures.channelId = (await makeApiChannel(app.services.db, app.services.secretBox)).channelId;
    fixtures.calendarId = (await api('/calendars', CALENDAR)).body.id;
    fixtures.policyId = (await api('/sla-policies', POLICY)).body.id;
    fixtures.cannedId = (await api('/canned-responses', { title: 'Matrix', shortcut: `matrix-${randomUUID().slice(0, 8)}`, body: 'Hallo' })).body.id;
    fixtures.topicId = (await app.services.db.transaction().execute((tx) => startTrackedSearch(tx, fixtures.channelId, '#matrix', systemActor('test')))).id;
    fixtures.queryId = (await api('/listening-queries', { name: 'Matrix', query: 'matrix' })).body.id;
    fixtures.chatSiteId = (await api('/chat-sites', { name: 'Matrix' })).body.id;
  });

  const CALENDAR = { name: 'Matrix', timeZone: 'Europe/Berlin', weekly: { mon: [['09:00', '17:00']] } };
  const POLICY = { name: 'Matrix', calendarId: null, firstResponseMinutes: 60, nextResponseMinutes: 60 };
  const unique = () => `m-${randomUUID().slice(0, 8)}`;
  /** The body each new route gets; anything not listed gets `{}`. */
  const BODIES: Record<string, () => Record<string, unknown>> = {
    'POST /conversations/:id/template-replies': () => ({ template: 'none:de' }),
    'POST /conversations/:id/assign': () => ({ assigneeId: '' }),
    'POST /conversations/:id/status': () => ({ status: 'saved' }),
    'POST /conversations/:id/notes': () => ({ text: 'Matrix-Notiz' }),
    'POST /conversations/:id/tasks': () => ({ title: 'Matrix-Schritt', owner: 'user:me' }),
    'POST /conversations/:id/tags': () => ({ add: 'matrix' }),
    'POST /conversations/:id/priority': () => ({ priority: 'high' }),
    'POST /conversations/:id/messages/:messageId/breach-reason': () => ({ reason: 'Matrix' }),
    'POST /conversations/:id/messages/:messageId/delivery': () => ({ resolution: 'sent' }),
    'POST /conversations/:id/messages/:messageId/moderation': () => ({ action: 'hide' }),
    'POST /api/v1/conversations/:id/replies/:messageId/delivery': () => ({ resolution: 'sent' }),
    'POST /saved-views': () => ({ name: unique(), query: 'status=open' }),
    'POST /settings/canned-responses': () => ({ title: 'Matrix', shortcut: unique(), body: 'Hallo' }),
    'POST /monitoring/queries': () => ({ name: unique(), query: 'matrix' }),
    'POST /monitoring/queries/:queryId': () => ({ name: unique(), query: 'matrix OR matrize' }),
    'POST /monitoring/queries/:queryId/active': () => ({ active: 'true' }),
    'POST /monitoring/queries/:queryId/backfill': () => ({ days: '1' }),
    'POST /settings/canned-responses/:cannedId': () => ({ title: 'Matrix', shortcut: unique(), body: 'Hallo' }),
    'POST /settings/sla/calendars': () => ({ name: 'Matrix', timeZone: 'Europe/Berlin', mon_from: '09:00', mon_to: '17:00' }),
    'POST /settings/sla/calendars/:id': () => ({ name: 'Matrix', timeZone: 'Europe/Berlin', mon_from: '09:00', mon_to: '17:00' }),
    'POST /settings/sla/topics/:id': () => ({ slaPolicyId: '' }),
    'POST /settings/sla/policies': () => ({ name: 'Matrix', firstResponseMinutes: '60', nextResponseMinutes: '60', warnAtPercent: '80' }),
    'POST /settings/sla/policies/:id': () => ({ name: 'Matrix', firstResponseMinutes: '60', nextResponseMinutes: '60', warnAtPercent: '80' }),
    'POST /settings/sla/channels/:id': () => ({ calendarId: '', slaPolicyId: '' }),
    'POST /settings/users/:userId/role': () => ({ role: 'agent' }),
    'POST /approvals/:id/reject': () => ({ note: 'Matrix' }),
    'POST /api/v1/replies/:id/reject': () => ({ note: 'Matrix' }),
    'POST /settings/channels/:id/approval': () => ({ repliesNeedApproval: 'on' }),
    'POST /settings/channels/:id/case-footer': () => ({ caseFooter: 'on' }),
    'POST /settings/channels/:id/details': () => ({ name: 'Matrix API' }),
    'POST /settings/users/:userId/teams': () => ({ teamId: randomUUID() }),
    'POST /settings/channels/:id/interval': () => ({ pollIntervalSeconds: '120' }),
    'POST /api/v1/conversations/:id/assign': () => ({ assigneeId: null }),
    'POST /api/v1/conversations/:id/status': () => ({ status: 'saved' }),
    'POST /api/v1/conversations/:id/notes': () => ({ text: 'Matrix-Notiz' }),
    'POST /api/v1/conversations/:id/tags': () => ({ add: ['matrix'] }),
    'POST /api/v1/conversations/:id/priority': () => ({ priority: 'high' }),
    'POST /api/v1/canned-responses': () => ({ title: 'Matrix', shortcut: unique(), body: 'Hallo' }),
    'POST /api/v1/canned-responses/:id': () => ({ title: 'Matrix', shortcut: unique(), body: 'Hallo' }),
    'POST /api/v1/calendars': () => CALENDAR,
    'PUT /api/v1/calendars/:id': () => CALENDAR,
    'POST /api/v1/sla-policies': () => POLICY,
    'PUT /api/v1/sla-policies/:id': () => POLICY,
    'PATCH /api/v1/channels/:id': () => ({ calendarId: null }),
    'POST /settings/routing/teams/:teamId': () => ({ chat: '1' }),
    'PATCH /api/v1/teams/:id': () => ({ capacity: { chat: 1 } }),
    'POST /api/v1/channels/:channelId/messages': () => inboundPost(),
    'POST /api/v1/channels/:channelId/messages/batch': () => ({ posts: [inboundPost()] }),
    'POST /api/v1/chat-sites': () => ({ name: unique() }),
    'PATCH /api/v1/chat-sites/:id': () => ({ colour: '#123456' }),
    'POST /settings/chat-sites': () => CHAT_SITE_FORM,
    'POST /settings/chat-sites/:siteId': () => CHAT_SITE_FORM,
    'POST /conversations/:id/callback-attempts': () => ({ outcome: 'reached' }),
  };
  const CHAT_SITE_FORM = { name: 'Matrix', routingMode: 'auto', colour: '#123456', prechatName: 'optional', prechatEmail: 'optional' };
  const QUERIES: Record<string, string> = {
    get 'GET /api/v1/reports/chat'() {
      return `?siteId=${fixtures.chatSiteId}&from=2026-11-01&to=2026-11-02`;
    },
    'GET /reports/sla/posts': '?bucket=2026-11-23',
    'GET /monitoring/posts': '?bucket=2026-11-23',
    'GET /monitoring/queries/check': '?query=matrix',
    'GET /api/v1/knowledge/search': '?q=matrix',
    'GET /conversations/:id/canned': '',
    'GET /api/v1/replies': '?state=pending_approval',
    'GET /webhooks/whatsapp/': '?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1',
    'GET /webhooks/meta/': '?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1',
  };

  /** The concrete path of a route: a fresh conversation per case for the conversation routes, so no case depends on another. */
  async function pathOf(route: string, pattern: string): Promise<string> {
    let path = pattern;
    if (path.includes('/conversations/:id')) {
      const channel = await makeApiChannel(app.services.db, app.services.secretBox);
      const { conversationId: id, messageId } = await ingest(channel);
      path = path.replace(':id', id).replace(':messageId', messageId);
    }
    const idFor = path.startsWith('/api/v1/chat-sites')
      ? fixtures.chatSiteId
      : path.startsWith('/settings/sla/topics')
        ? fixtures.topicId
        : path.startsWith('/settings/sla/calendars') || path.startsWith('/api/v1/calendars')
          ? fixtures.calendarId
          : path.startsWith('/settings/sla/policies') || path.startsWith('/api/v1/sla-policies')
            ? fixtures.policyId
            : path.includes('canned')
              ? fixtures.cannedId
              : path.startsWith('/saved-views')
                ? randomUUID()
                : fixtures.channelId;
    return (
      path
        .replace(':cannedId', fixtures.cannedId)
        .replace(':ruleId', randomUUID())
        .replace(':subscriptionId', randomUUID())
        .replace(':queryId', fixtures.queryId)
        .replace(':topicId', randomUUID())
        .replace(':userId', fixtures.channelId)
        .replace(':kind', 'x')
        .replace(':teamId', randomUUID())
        .replace(':tokenId', randomUUID())
        .replace(':messageId', randomUUID())
        .replace(':mergeId', randomUUID())
        .replace(':attachmentId', randomUUID())
        .replace(':taskId', randomUUID())
        .replace(/^\/settings\/chat-sites\/:siteId/, `/settings/chat-sites/${fixtures.chatSiteId}`) // the chat site's own pages; any other :siteId names no site
        .replace(':articleId', randomUUID())
        .replace(':siteId', randomUUID())
        .replace(':caseNumber', '999999999')
        .replace(':channelId', fixtures.channelId)
        .replace(':report', 'sla')
        .replace(':file', 'sla.csv')
        .replace(':id', idFor) + (QUERIES[route] ?? '')
    );
  }

  const cases = Object.entries(MATRIX).flatMap(([route, row]) => WHO.map((w) => [route, w, row[w]] as const));
  it.each(cases)('when %s is requested as %s, then the answer is %i', async (route, w, expected) => {
    const { user, agent, csrf } = who[w]!;
    const [method, pattern] = route.split(' ') as ['GET' | 'POST' | 'PUT' | 'PATCH', string];
    const verb = method.toLowerCase() as 'get' | 'post' | 'put' | 'patch';
    if (!ORIGINAL.has(route)) {
      const path = await pathOf(route, pattern);
      const body = BODIES[route]?.() ?? {};
      let res: request.Response;
      if (path.startsWith('/api/')) {
        const req = request(app.url)[verb](path);
        res = await (user ? req.auth(user.token, { type: 'bearer' }) : req).send(method === 'GET' ? undefined : body);
      } else if (path.startsWith('/webhooks/')) {
        res = await request(app.url)
          [verb](path)
          .send(method === 'GET' ? undefined : JSON.stringify(body));
      } else {
        res =
          method === 'GET'
            ? await agent.get(path)
            : await agent
                .post(path)
                .type('form')
                .send({ ...body, _csrf: csrf });
      }
      if (res.status !== expected) throw new Error(`expected ${expected}, got ${res.status}: ${res.text.replace(/\s+/g, ' ').slice(0, 160)}`);
      if (expected === 302 && w === 'anonymous') expect(res.headers.location).toMatch(/^\/login/);
      return;
    }
    const path = pattern.replace(':id', conversationId);
    const text = `matrix ${w} ${route} ${randomUUID()}`;
    let res: request.Response;
    if (path.startsWith('/api/')) {
      const req = method === 'GET' ? request(app.url).get(path) : request(app.url).post(path).send({ text });
      res = await (user ? req.auth(user.token, { type: 'bearer' }) : req);
    } else {
      res = method === 'GET' ? await agent.get(path) : await agent.post(path).type('form').send({ text, _csrf: csrf });
    }
    expect(res.status).toBe(expected);
    if (expected === 302) expect(res.headers.location).toMatch(/^\/login/);
    if (method === 'POST') expect(await messagesWithText(text)).toBe(expected < 400 && expected !== 302 ? 1 : 0);
  });

  it('when the Express app registers a route, then the matrix (or the list of routes tested elsewhere) has an entry for it', () => {
    const routes = registeredRoutes();
    expect(routes.length).toBeGreaterThan(90);
    expect(routes.filter((r) => !(r in MATRIX) && !(r in COVERED_ELSEWHERE))).toEqual([]);
    expect([...Object.keys(MATRIX), ...Object.keys(COVERED_ELSEWHERE)].filter((r) => !routes.includes(r))).toEqual([]); // no stale entries
  });

  it('when an auditor opens a conversation, then the page has no reply form, only the read-only note', async () => {
    const page = await who.auditor!.agent.get(`/conversations/${conversationId}`);
    expect(page.text).not.toContain('name="text"');
    expect(page.text).toContain('Your role may only read here.');
  });

  it('when an auditor or an admin tries to reply, then the conversation keeps its status', async () => {
    const { status } = await app.services.db.selectFrom('conversations').select('status').where('id', '=', conversationId).executeTakeFirstOrThrow();
    // agents and managers replied above, so it is answered; the denied replies left no outbound message of their own
    expect(status).toBe('answered');
    const outbound = await app.services.db
      .selectFrom('messages')
      .select('authorUserId')
      .where('conversationId', '=', conversationId)
      .where('direction', '=', 'outbound')
      .execute();
    const denied = [who.auditor!.user!.id, who.admin!.user!.id];
    expect(outbound.filter((m) => denied.includes(m.authorUserId!))).toEqual([]);
    expect(outbound.length).toBe(4);
  });
});
