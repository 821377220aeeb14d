/**
 * Who is signed in, kept by each web process for page reads (server/middleware/accessCopies.ts): two web
 * processes on one database and one Redis. A change made on one — deactivation, role, language, sign-out — reaches
 * the other's page reads as soon as its live event does (within a second here, though a copy may live COPY_MS),
 * the session's CSRF token is the same on both, and a request that changes something never rests on a copy.
 */
import request from 'supertest';
import { makeUser } from '../factories/factories';
import { csrfFrom } from '../support/csrf';
import { startTestApp, type TestApp } from '../support/testApp';
import { until } from '../support/until';

let a: TestApp;
let b: TestApp;
beforeAll(async () => {
  [a, b] = await Promise.all([startTestApp(), startTestApp()]);
});
afterAll(async () => {
  await a.stop();
  await b.stop();
});

const db = () => a.services.db;

/** Signs in on `app` through the form; returns the session cookie, usable on either process. */
async function signIn(app: TestApp, user: { email: string; password: string }): Promise<string> {
  const login = await request(app.url).get('/login');
  const visitor = login.headers['set-cookie']?.[0]?.split(';')[0] ?? '';
  const res = await request(app.url)
    .post('/login')
    .set('cookie', visitor)
    .type('form')
    .send({ _csrf: csrfFrom(login.text), email: user.email, password: user.password });
  expect(res.status).toBe(302);
  return res.headers['set-cookie']![0]!.split(';')[0]!;
}

const page = (app: TestApp, cookie: string, path = '/inbox') => request(app.url).get(path).set('cookie', cookie);
/** A console form sent on `app`. */
const form = (app: TestApp, cookie: string, path: string, fields: Record<string, string>) =>
  request(app.url).post(path).set('cookie', cookie).type('form').send(fields);

/** Pages on `app` until it answers them from its copies of this person (the sign-in's own event may come late and drop them once). */
const keptOn = (app: TestApp, cookie: string, userId: string, path = '/inbox') =>
  until('the process to keep copies', async () => (await page(app, cookie, path)).status === 200 && !!app.services.access.user(userId), 2000);

/** Well within COPY_MS: what changed here was the live event, not the copy's age. */
const soon = (what: string, probe: () => Promise<boolean>) => until(what, probe, 1000);

async function signedInAdmin() {
  const admin = await makeUser(db(), { role: 'admin' });
  const cookie = await signIn(a, admin);
  return { cookie, csrf: csrfFrom((await page(a, cookie)).text) };
}

describe('copies of who is signed in, across web processes', () => {
  it('when a person is deactivated on one process, then their next page on the other is refused, though the other had their session in a copy', async () => {
    const admin = await signedInAdmin();
    const agent = await makeUser(db(), { role: 'agent' });
    const cookie = await signIn(a, agent);
    await keptOn(b, cookie, agent.id);

    const res = await form(a, admin.cookie, `/settings/users/${agent.id}/deactivate`, { _csrf: admin.csrf });
    expect(res.status).toBe(303);

    await soon('b to refuse the page', async () => (await page(b, cookie)).status === 302);
    expect((await page(b, cookie)).headers.location).toMatch(/^\/login/);
  });

  it("when a manager becomes an agent on one process, then the other refuses a manager's page as soon as it hears", async () => {
    const admin = await signedInAdmin();
    const manager = await makeUser(db(), { role: 'manager' });
    const cookie = await signIn(a, manager);
    await keptOn(b, cookie, manager.id, '/audit');

    const res = await form(a, admin.cookie, `/settings/users/${manager.id}/role`, { _csrf: admin.csrf, role: 'agent' });
    expect(res.status).toBe(303);

    await soon('b to refuse the audit log', async () => (await page(b, cookie, '/audit')).status === 403);
  });

  it('when a person switches the language on one process, then the next page on the other is in that language', async () => {
    const agent = await makeUser(db(), { role: 'agent', locale: 'en' });
    const cookie = await signIn(a, agent);
    await keptOn(b, cookie, agent.id);
    const before = await page(b, cookie);
    expect(before.text).toContain('<html lang="en">');

    const res = await form(a, cookie, '/locale', { _csrf: csrfFrom(before.text), locale: 'de', back: '/inbox' });
    expect(res.status).toBe(302);

    expect((await page(a, cookie)).text).toContain('<html lang="de">'); // the process that made the change: at once
    await soon('b to answer in German', async () => (await page(b, cookie)).text.includes('<html lang="de">'));
  });

  it('when a person signs out on one process, then the other no longer answers with their session', async () => {
    const agent = await makeUser(db(), { role: 'agent' });
    const cookie = await signIn(a, agent);
    await keptOn(b, cookie, agent.id);
    await keptOn(a, cookie, agent.id);
    const inbox = await page(b, cookie);

    const res = await form(a, cookie, '/logout', { _csrf: csrfFrom(inbox.text) });
    expect(res.status).toBe(302);
    expect(String(res.headers['set-cookie'])).toMatch(/rl_session=;.*Expires=Thu, 01 Jan 1970/); // the browser forgets it

    expect((await page(a, cookie)).status).toBe(302);
    await soon('b to refuse the ended session', async () => (await page(b, cookie)).status === 302);
  });

  it('when a person signs out on a process that kept no copy of the session, then the other still hears of it', async () => {
    const agent = await makeUser(db(), { role: 'agent' });
    const cookie = await signIn(a, agent);
    await keptOn(b, cookie, agent.id);
    const inbox = await page(b, cookie);
    a.services.access.clear(); // as after a's live subscription broke and came back
    const keeps = jest.spyOn(a.services.access, 'keepSession').mockImplementation(() => undefined); // nor does sign-out's own read

    const res = await form(a, cookie, '/logout', { _csrf: csrfFrom(inbox.text) });
    expect(res.status).toBe(302);
    keeps.mockRestore();

    await soon('b to refuse the ended session', async () => (await page(b, cookie)).status === 302);
  });

  it("when a role is taken away behind the processes' back, then a page may still come from a copy, but a request that acts is refused at once", async () => {
    const manager = await makeUser(db(), { role: 'manager' });
    const cookie = await signIn(a, manager);
    await keptOn(b, cookie, manager.id, '/audit');
    const audit = await page(b, cookie, '/audit');

    await db().updateTable('users').set({ role: 'agent' }).where('id', '=', manager.id).execute(); // no live event

    expect((await page(b, cookie, '/audit')).status).toBe(200); // the copy, at most COPY_MS old
    // a manager's form (a new listening query): refused as an agent's, before its fields are even read
    const refused = await form(b, cookie, '/monitoring/queries', { _csrf: csrfFrom(audit.text) });
    expect(refused.status).toBe(403);
  });

  it("when a person signs in on one process, then the session's CSRF token is made with it: pages from both processes carry it and a form from either is taken", async () => {
    const agent = await makeUser(db(), { role: 'agent' });
    const cookie = await signIn(a, agent);
    const onB = csrfFrom((await page(b, cookie)).text);
    const onA = csrfFrom((await page(a, cookie)).text);
    expect(onA).toBe(onB);

    const res = await form(b, cookie, '/locale', { _csrf: onA, locale: 'en', back: '/inbox' });
    expect(res.status).toBe(302);
  });

  it("when a session is ended behind the processes' back, then a page may still come from a copy for a few seconds, but a form is refused at once and drops the copy", async () => {
    const agent = await makeUser(db(), { role: 'agent' });
    const cookie = await signIn(a, agent);
    await keptOn(b, cookie, agent.id);
    const inbox = await page(b, cookie);

    await a.services.pool.query("DELETE FROM user_sessions WHERE sess ->> 'userId' = $1", [agent.id]); // no live event

    expect((await page(b, cookie)).status).toBe(200); // the copy, at most COPY_MS old
    const refused = await form(b, cookie, '/locale', { _csrf: csrfFrom(inbox.text), locale: 'de', back: '/inbox' });
    expect(refused.status).toBe(403); // read fresh: no session, so no session's CSRF token
    expect((await db().selectFrom('users').select('locale').where('id', '=', agent.id).executeTakeFirstOrThrow()).locale).toBe('en');
    expect((await page(b, cookie)).status).toBe(302); // the fresh read that found no session dropped the copy
  });
});
