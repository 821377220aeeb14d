/**
 * Sign-in limits under pressure: parallel guesses, unknown addresses, and strangers trying to lock a
 * known user out. Through real HTTP against this file's PostgreSQL and Redis.
 */
import request from 'supertest';
import { makeUser } from '../factories/factories';
import { startTestApp, type TestApp } from '../support/testApp';
import * as tokens from '../../server/crypto/tokens';
import { createLoginLimiter, LOGIN_MAX_FAILURES_PER_EMAIL, LOGIN_MAX_FAILURES_PER_EMAIL_AND_IP } from '../../server/middleware/loginRateLimit';

// The real scrypt, counted: how many passwords the server checked is the test's measure, not a timer.
jest.mock('../../server/crypto/tokens', () => {
  const actual = jest.requireActual<typeof import('../../server/crypto/tokens')>('../../server/crypto/tokens');
  return { ...actual, verifyPassword: jest.fn(actual.verifyPassword) };
});
const verifyPassword = tokens.verifyPassword as jest.MockedFunction<typeof tokens.verifyPassword>;

let app: TestApp;
beforeAll(async () => {
  app = await startTestApp();
});
afterAll(async () => {
  await app.stop();
});
beforeEach(() => verifyPassword.mockClear());

let ipCounter = 0;
const freshIp = () => `203.0.113.${(ipCounter += 1)}`;
const csrfFrom = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

async function loginForm() {
  const agent = request.agent(app.url);
  const csrf = csrfFrom((await agent.get('/login')).text);
  const post = (email: string, password: string, ip: string) =>
    agent.post('/login').set('X-Forwarded-For', ip).set('Accept-Language', 'en').type('form').send({ _csrf: csrf, email, password });
  return { agent, post };
}

describe('sign-in rate limit', () => {
  it('when 40 wrong passwords for one address arrive in parallel from one IP, then only the allowed number is checked and the rest get 429', async () => {
    const user = await makeUser(app.services.db);
    const { post } = await loginForm();
    const ip = freshIp();
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => post(user.email, `wrong-guess-${i}`, ip)));
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(LOGIN_MAX_FAILURES_PER_EMAIL_AND_IP);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40 - LOGIN_MAX_FAILURES_PER_EMAIL_AND_IP);
    expect(verifyPassword).toHaveBeenCalledTimes(LOGIN_MAX_FAILURES_PER_EMAIL_AND_IP);
  });

  it('when the address belongs to no account, then a password is hashed all the same (one scrypt run, like a known address)', async () => {
    const { post } = await loginForm();
    const unknown = await post('nobody-at-all@example.test', 'some-password-guess', freshIp());
    expect(unknown.status).toBe(401);
    expect(verifyPassword).toHaveBeenCalledTimes(1);

    const user = await makeUser(app.services.db);
    verifyPassword.mockClear();
    const known = await post(user.email, 'some-password-guess', freshIp());
    expect(known.status).toBe(401);
    expect(known.text).toBe(unknown.text.replace('nobody-at-all@example.test', user.email));
    expect(verifyPassword).toHaveBeenCalledTimes(1);
  });

  it('when a stranger used up the attempts for a user from their own address, then the stranger gets 429 and the user still signs in from their network', async () => {
    const user = await makeUser(app.services.db);
    const stranger = await loginForm();
    const strangerIp = freshIp();
    for (let i = 0; i < LOGIN_MAX_FAILURES_PER_EMAIL_AND_IP; i += 1) {
      expect((await stranger.post(user.email, `guess-${i}`, strangerIp)).status).toBe(401);
    }
    const blocked = await stranger.post(user.email, user.password, strangerIp);
    expect(blocked.status).toBe(429);
    expect(blocked.text).toContain('Too many sign-in attempts');

    const owner = await loginForm();
    const res = await owner.post(user.email, user.password, freshIp());
    expect(res.status).toBe(302);
    expect((await owner.agent.get('/inbox')).status).toBe(200);
  });
});

describe('the login limiter (Redis, without HTTP)', () => {
  const limiterFor = () => createLoginLimiter(app.services.redis, `${app.services.config.redisPrefix}:limiter-${Math.random().toString(36).slice(2)}`);

  it('when an e-mail had the global number of failures from many addresses, then a new address is refused but a network it signed in from before is not', async () => {
    const limiter = limiterFor();
    const email = 'target@example.test';
    expect((await limiter.attempt('192.0.2.10', email)).allowed).toBe(true);
    await limiter.succeeded('192.0.2.10', email); // the user's office: 192.0.2.0/24
    for (let i = 1; i <= LOGIN_MAX_FAILURES_PER_EMAIL; i += 1) {
      expect((await limiter.attempt(`10.${Math.floor(i / 250)}.${i % 250}.1`, email)).allowed).toBe(true);
    }
    const stranger = await limiter.attempt('198.18.0.1', email);
    expect(stranger).toEqual({ allowed: false, retryAfterSeconds: expect.any(Number) });
    expect(!stranger.allowed && stranger.retryAfterSeconds).toBeGreaterThan(0);
    expect((await limiter.attempt('192.0.2.77', email)).allowed).toBe(true); // same office network, another address
    expect((await limiter.attempt('198.18.0.1', 'someone-else@example.test')).allowed).toBe(true);
  });

  it('when a sign-in succeeds, then its own attempt no longer counts against the address', async () => {
    const limiter = limiterFor();
    for (let i = 0; i < LOGIN_MAX_FAILURES_PER_EMAIL_AND_IP - 1; i += 1) await limiter.attempt('192.0.2.20', 'a@example.test');
    expect((await limiter.attempt('192.0.2.20', 'a@example.test')).allowed).toBe(true);
    await limiter.succeeded('192.0.2.20', 'a@example.test');
    expect((await limiter.attempt('192.0.2.20', 'a@example.test')).allowed).toBe(true);
  });
});
