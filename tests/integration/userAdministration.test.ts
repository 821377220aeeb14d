/**
 * Users and teams through the real console, as an admin: an invitation link sets a password (once, until it
 * expires, only the newest link), deactivation ends sessions and tokens at once and keeps history, roles and
 * teams change with an audit event each, and the rules that keep an admin hold.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { hashToken } from '../../server/crypto/tokens';
import { makeUser } from '../factories/factories';
import { csrfFrom } from '../support/csrf';
import { startSmtpSink, type SmtpSink } from '../support/smtpSink';
import { startTestApp, type TestApp } from '../support/testApp';

let app: TestApp;
let smtp: SmtpSink;
beforeAll(async () => {
  smtp = await startSmtpSink();
  app = await startTestApp({ env: { SMTP_URL: `smtp://${smtp.host}:${smtp.port}`, MAIL_FROM: 'Replyline <console@example.test>' } });
});
afterAll(async () => {
  await app.stop();
  await smtp.close();
});

const db = () => app.services.db;
const STRONG = 'Leuchtturm-Kaffeetasse-42';

async function signIn(email: string, password: string): Promise<{ agent: TestAgent; csrf: string; status: number }> {
  const agent = request.agent(app.url);
  const login = await agent.get('/login');
  const res = await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(login.text), email, password });
  return { agent, status: res.status, csrf: res.status === 302 ? csrfFrom((await agent.get('/inbox')).text) : '' };
}

async function signedInAdmin() {
  const admin = await makeUser(db(), { role: 'admin', locale: 'en' });
  return { admin, ...(await signIn(admin.email, admin.password)) };
}

/** The link shown on the page after an invitation or a reset. */
const linkOn = (html: string) => {
  const url = /id="password-link" readonly value="([^"]+)"/.exec(html)?.[1];
  if (!url) throw new Error('no link on the page');
  const { pathname, search } = new URL(url.replace(/&amp;/g, '&'));
  return `${pathname}${search}`;
};

async function invite(as: { agent: TestAgent; csrf: string }, overrides: Record<string, string> = {}) {
  const email = `new-${randomUUID().slice(0, 8)}@example.test`;
  const res = await as.agent
    .post('/settings/users')
    .type('form')
    .send({ _csrf: as.csrf, name: 'Nina Neu', email, role: 'agent', locale: 'de', ...overrides });
  return { res, email };
}

async function setPassword(link: string, password: string, confirm = password) {
  const visitor = request.agent(app.url);
  const page = await visitor.get(link);
  const token = new URLSearchParams(link.split('?')[1]).get('token') ?? '';
  const res = await visitor
    .post('/password')
    .type('form')
    .send({ _csrf: csrfFrom(page.text), token, password, confirm });
  return { page, res };
}

const audit = (subjectId: string) =>
  db().selectFrom('auditEvents').select(['action', 'actorId', 'before', 'after']).where('subjectId', '=', subjectId).orderBy('seq').execute();

describe('inviting a person', () => {
  it('when an admin invites someone, then the page shows a single-use link, the mail carries it (no password), only its hash is stored, and the invitee can sign in after setting a password', async () => {
    const as = await signedInAdmin();
    const before = smtp.received.length;
    const { res, email } = await invite(as);
    expect(res.status).toBe(201);
    const link = linkOn(res.text);
    const token = new URLSearchParams(link.split('?')[1]).get('token')!;
    const user = await db().selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
    expect(user.passwordHash).toBeNull();
    const stored = await db().selectFrom('passwordLinks').selectAll().where('userId', '=', user.id).execute();
    expect(stored.map((l) => l.tokenHash)).toEqual([hashToken(token)]);

    const [mail] = (await smtp.waitFor(before + 1)).slice(before);
    expect(mail!.envelopeTo).toEqual([email]);
    expect(mail!.mail.subject).toBe('Ihre Einladung zu Replyline');
    expect(mail!.mail.text).toContain(token);

    expect((await signIn(email, STRONG)).status).toBe(401); // no password yet
    const { page, res: set } = await setPassword(link, STRONG);
    expect(page.text).toContain('Willkommen, Nina Neu');
    expect(set.status).toBe(200);
    expect((await signIn(email, STRONG)).status).toBe(302);
    expect((await audit(user.id)).map((e) => e.action)).toEqual(['user.invited', 'auth.login_failed', 'user.password_set', 'auth.login']);

    // Used once: the same link now says it no longer works.
    const again = await request(app.url).get(link);
    expect(again.status).toBe(404);
    expect(again.text).toContain('Dieser Link gilt nicht (mehr)');
  });

  it('when the password breaks the policy or the repetition differs, then 400 with the rule in words, and the link still works', async () => {
    const as = await signedInAdmin();
    const link = linkOn((await invite(as)).res.text);
    const short = await setPassword(link, 'kurz');
    expect(short.res.status).toBe(400);
    expect(short.res.text).toContain('Mindestens 12 Zeichen.');
    const common = await setPassword(link, 'Password2026!');
    expect(common.res.text).toContain('Dieses Passwort ist zu verbreitet');
    const mismatch = await setPassword(link, STRONG, `${STRONG}x`);
    expect(mismatch.res.text).toContain('Stimmt nicht mit dem Passwort überein.');
    expect(mismatch.res.text).not.toContain(STRONG); // secrets are not echoed into the form
    expect((await setPassword(link, STRONG)).res.status).toBe(200);
  });

  it('when a link has expired or a newer one was issued, then the old one is refused', async () => {
    const as = await signedInAdmin();
    const { res, email } = await invite(as);
    const first = linkOn(res.text);
    const user = await db().selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow();
    const reset = await as.agent.post(`/settings/users/${user.id}/password-link`).type('form').send({ _csrf: as.csrf });
    const second = linkOn(reset.text);
    expect((await setPassword(first, STRONG)).page.status).toBe(404);
    await db()
      .updateTable('passwordLinks')
      .set({ expiresAt: new Date(Date.now() - 1000), createdAt: new Date(Date.now() - 2000) })
      .where('userId', '=', user.id)
      .execute();
    expect((await setPassword(second, STRONG)).page.status).toBe(404);
  });

  it('when the e-mail is taken, then 409 at the invitation form and no second account', async () => {
    const as = await signedInAdmin();
    const { res } = await invite(as, { email: as.admin.email });
    expect(res.status).toBe(409);
    expect(res.text).toContain('id="invite-form"');
    expect(res.text).toMatch(/aria-invalid="true" aria-describedby="invite-email-error"/);
  });
});

describe('deactivating a person', () => {
  it('when an admin deactivates a user, then their open session and API token stop working at once, history stays, and the audit says what ended', async () => {
    const as = await signedInAdmin();
    const agentUser = await makeUser(db(), { role: 'agent' });
    const session = await signIn(agentUser.email, agentUser.password);
    expect((await session.agent.get('/inbox')).status).toBe(200);
    expect((await request(app.url).get('/api/v1/conversations').auth(agentUser.token, { type: 'bearer' })).status).toBe(200);
    // a session of theirs that ended yesterday goes too, but is not counted as ended by the deactivation
    await app.services.pool.query(`INSERT INTO user_sessions (sid, sess, expire) VALUES ($1, $2, now() - interval '1 day')`, [
      `ended-${agentUser.id}`,
      JSON.stringify({ cookie: {}, userId: agentUser.id }),
    ]);

    const res = await as.agent.post(`/settings/users/${agentUser.id}/deactivate`).type('form').send({ _csrf: as.csrf });
    expect(res.status).toBe(303);

    expect((await session.agent.get('/inbox')).status).toBe(302);
    const api = await request(app.url).get('/api/v1/conversations').auth(agentUser.token, { type: 'bearer' });
    expect(api.status).toBe(401);
    expect((await signIn(agentUser.email, agentUser.password)).status).toBe(401);
    const events = await audit(agentUser.id);
    expect(events.map((e) => e.action)).toContain('auth.login'); // history kept
    const deactivated = events.find((e) => e.action === 'user.deactivated')!;
    expect(deactivated.actorId).toBe(as.admin.id);
    expect(deactivated.after).toMatchObject({ sessionsEnded: 1 });
    expect((await app.services.pool.query('SELECT 1 FROM user_sessions WHERE sid = $1', [`ended-${agentUser.id}`])).rowCount).toBe(0);
    expect((deactivated.after as { tokensRevoked: string[] }).tokensRevoked).toHaveLength(1);

    const page = await as.agent.get(`/settings/users/${agentUser.id}`);
    expect(page.text).toContain('Deactivated since');
    expect(page.text).toMatch(/<td>revoked<\/td>/);

    // Reactivated: the password works again, the revoked token stays revoked.
    expect((await as.agent.post(`/settings/users/${agentUser.id}/reactivate`).type('form').send({ _csrf: as.csrf })).status).toBe(303);
    expect((await signIn(agentUser.email, agentUser.password)).status).toBe(302);
    expect((await request(app.url).get('/api/v1/conversations').auth(agentUser.token, { type: 'bearer' })).status).toBe(401);
  });

  it('when an admin tries to deactivate themselves, then 409 with the reason in words, and nothing changes', async () => {
    const as = await signedInAdmin();
    const res = await as.agent.post(`/settings/users/${as.admin.id}/deactivate`).type('form').send({ _csrf: as.csrf });
    expect(res.status).toBe(409);
    expect(res.text).toContain('You cannot deactivate your own account.');
    expect((await as.agent.get('/settings/users')).status).toBe(200);
  });

  it('when the last active admin would lose the role, then 409 and the role stays', async () => {
    const as = await signedInAdmin();
    await db().updateTable('users').set({ role: 'manager' }).where('role', '=', 'admin').where('id', '!=', as.admin.id).execute();
    const res = await as.agent.post(`/settings/users/${as.admin.id}/role`).type('form').send({ _csrf: as.csrf, role: 'agent' });
    expect(res.status).toBe(409);
    expect(res.text).toContain('This is the last active admin. Make someone else admin first.');
    const row = await db().selectFrom('users').select('role').where('id', '=', as.admin.id).executeTakeFirstOrThrow();
    expect(row.role).toBe('admin');
  });
});

describe('roles, teams and tokens', () => {
  it('when an admin changes a role, adds and removes a team, and revokes a token, then each is audited with before and after', async () => {
    const as = await signedInAdmin();
    const person = await makeUser(db(), { role: 'agent' });
    const send = (path: string, body: object = {}) =>
      as.agent
        .post(path)
        .type('form')
        .send({ _csrf: as.csrf, ...body });
    expect((await send(`/settings/users/${person.id}/role`, { role: 'manager' })).status).toBe(303);
    const teamName = `Team ${randomUUID().slice(0, 6)}`;
    expect((await send('/settings/teams', { name: teamName })).status).toBe(303);
    const team = await db().selectFrom('teams').select('id').where('name', '=', teamName).executeTakeFirstOrThrow();
    expect((await send(`/settings/users/${person.id}/teams`, { teamId: team.id })).status).toBe(303);
    const list = await as.agent.get('/settings/users');
    expect(list.text).toContain(teamName);
    expect((await send(`/settings/users/${person.id}/teams/${team.id}/leave`)).status).toBe(303);
    const token = await db().selectFrom('apiTokens').select('id').where('userId', '=', person.id).executeTakeFirstOrThrow();
    expect((await send(`/settings/users/${person.id}/tokens/${token.id}/revoke`)).status).toBe(303);
    expect((await request(app.url).get('/api/v1/conversations').auth(person.token, { type: 'bearer' })).status).toBe(401);

    const events = await audit(person.id);
    expect(events.find((e) => e.action === 'user.role_changed')).toMatchObject({ before: { role: 'agent' }, after: { role: 'manager' } });
    expect(events.map((e) => e.action)).toContain('api_token.revoked');
    const teamEvents = await audit(team.id);
    expect(teamEvents.map((e) => e.action)).toEqual(['team.created', 'team.member_added', 'team.member_removed']);
  });

  it("when a token id is sent under another person's page, then 404 and the token stays valid", async () => {
    const as = await signedInAdmin();
    const [owner, other] = await Promise.all([makeUser(db()), makeUser(db())]);
    const token = await db().selectFrom('apiTokens').select('id').where('userId', '=', owner.id).executeTakeFirstOrThrow();
    const res = await as.agent.post(`/settings/users/${other.id}/tokens/${token.id}/revoke`).type('form').send({ _csrf: as.csrf });
    expect(res.status).toBe(404);
    expect((await request(app.url).get('/api/v1/conversations').auth(owner.token, { type: 'bearer' })).status).toBe(200);
  });

  it('when a manager asks for the users page, then 403', async () => {
    const manager = await makeUser(db(), { role: 'manager' });
    const { agent } = await signIn(manager.email, manager.password);
    expect((await agent.get('/settings/users')).status).toBe(403);
  });
});
