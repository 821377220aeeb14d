/** Routing through the API and the router's jobs: presence, skills and slots, automatic and pull queues, absences, the queue board. */
import request from 'supertest';
import { insertTeam, addTeamMember } from '../../server/db/repositories/teams.repo';
import { inTransaction } from '../../server/domain/effects';
import { routeWaiting } from '../../server/domain/routing/routeWaiting';
import { startAbsences } from '../../server/domain/availability/absences';
import { offlineQuietAgents, reofferUnopened } from '../../server/domain/routing/sweepRouting';
import { makeApiChannel, makeUser, inboundPost } from '../factories/factories';
import { startTestApp, type TestApp } from '../support/testApp';
import { until } from '../support/until';

let app: TestApp;
type Made = Awaited<ReturnType<typeof makeUser>>;
let lena: Made;
let paul: Made;
let manager: Made;
let channel: Awaited<ReturnType<typeof makeApiChannel>>;

beforeAll(async () => {
  app = await startTestApp({ workers: true });
  const db = app.services.db;
  lena = await makeUser(db, { role: 'agent', name: 'Lena Vogt', locale: 'de' });
  paul = await makeUser(db, { role: 'agent', name: 'Paul Weber' });
  manager = await makeUser(db, { role: 'manager', name: 'Jonas Berger' });
  const team = await insertTeam(db, 'Care');
  for (const u of [lena, paul, manager]) await addTeamMember(db, team.id, u.id);
  channel = await makeApiChannel(db, app.services.secretBox);
});
afterAll(() => app.stop());

const api = (token: string) => ({
  get: (path: string) => request(app.url).get(`/api/v1${path}`).auth(token, { type: 'bearer' }),
  post: (path: string, body: object = {}) => request(app.url).post(`/api/v1${path}`).auth(token, { type: 'bearer' }).send(body),
  put: (path: string, body: object) => request(app.url).put(`/api/v1${path}`).auth(token, { type: 'bearer' }).send(body),
  patch: (path: string, body: object) => request(app.url).patch(`/api/v1${path}`).auth(token, { type: 'bearer' }).send(body),
  delete: (path: string) => request(app.url).delete(`/api/v1${path}`).auth(token, { type: 'bearer' }),
});

async function ingest(overrides: Record<string, unknown> = {}) {
  const res = await request(app.url)
    .post(`/api/v1/channels/${channel.channelId}/messages`)
    .auth(channel.ingestToken, { type: 'bearer' })
    .send({ ...inboundPost(), ...overrides });
  expect(res.status).toBe(201);
  return res.body as { conversationId: string };
}
const row = (id: string) => app.services.db.selectFrom('conversations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const pass = () => inTransaction(app.services.db, app.services.dispatcher, (tx, effects) => routeWaiting(tx, effects, {}));
const inTwoWeeks = () => new Date(Date.now() + 14 * 86_400_000).toISOString();
const closeAll = () => app.services.db.updateTable('conversations').set({ status: 'closed' }).where('status', '<>', 'closed').execute();

describe('settings and presence', () => {
  it('when a manager sets skills, slots and the channel to automatic, then both are stored and audited; an agent may not', async () => {
    expect((await api(lena.token).patch(`/users/${lena.id}`, { capacity: { social: 2 } })).status).toBe(403);
    const skills = (languages: string[]) => ({ languages, topics: [], channels: [], regions: [] });
    const r1 = await api(manager.token).patch(`/users/${lena.id}`, { skills: skills(['de']), capacity: { social: 2 } });
    expect(r1.status).toBe(200);
    expect(r1.body.capacity).toEqual({ chat: 3, messaging: 5, social: 2, email: 15 });
    expect((await api(manager.token).patch(`/users/${paul.id}`, { skills: skills(['en']), capacity: { social: 2 } })).status).toBe(200);
    expect((await api(manager.token).patch(`/users/${paul.id}`, { capacity: { social: -1 } })).status).toBe(400);
    const r2 = await api(manager.token).patch(`/channels/${channel.channelId}`, { routing: { mode: 'auto' } });
    expect(r2.body).toEqual({ channelId: channel.channelId, routing: { mode: 'auto', teamId: null } });
    expect((await api(manager.token).patch(`/channels/${channel.channelId}`, { routing: { mode: 'robin' } })).status).toBe(400);
    const audit = await app.services.db
      .selectFrom('auditEvents')
      .select('action')
      .where('action', 'in', ['agent.routing_changed', 'channel.routing_changed'])
      .execute();
    expect(audit).toHaveLength(3);
  });

  it('when an agent sets away without a reason, then 400; with one, then it is stored and audited; a colleague may not change it', async () => {
    expect((await api(lena.token).put(`/users/${lena.id}/presence`, { status: 'away' })).status).toBe(400);
    expect((await api(paul.token).put(`/users/${lena.id}/presence`, { status: 'online' })).status).toBe(403);
    const r = await api(lena.token).put(`/users/${lena.id}/presence`, { status: 'away', reason: 'break' });
    expect(r.body).toEqual({ status: 'away', reason: 'break', changed: true });
    // a manager of her team may set her online
    expect((await api(manager.token).put(`/users/${lena.id}/presence`, { status: 'online' })).status).toBe(200);
    expect((await api(paul.token).put(`/users/${paul.id}/presence`, { status: 'online' })).status).toBe(200);
  });
});

describe('automatic routing', () => {
  it('when posts arrive, then each goes to an online agent with the language, least loaded first, with the reason on the conversation and in the audit log', async () => {
    const de = await ingest({ language: 'de' });
    const en = await ingest({ language: 'en' });
    const routedDe = await until('the German post routed', async () => (await row(de.conversationId)).assigneeId);
    expect(routedDe).toBe(lena.id);
    expect(await until('the English post routed', async () => (await row(en.conversationId)).assigneeId)).toBe(paul.id);
    const body = (await api(lena.token).get(`/conversations/${de.conversationId}`)).body;
    expect(body.status).toBe('assigned');
    expect(body.routing.reason).toBe('Routing: Deutsch, geringste Auslastung (0/2)');
    expect(Date.parse(body.routing.routedAt)).not.toBeNaN();
    const audit = await app.services.db
      .selectFrom('auditEvents')
      .select(['action', 'actorLabel', 'after'])
      .where('subjectId', '=', de.conversationId)
      .where('action', '=', 'conversation.routed')
      .execute();
    expect(audit).toEqual([
      {
        action: 'conversation.routed',
        actorLabel: 'router',
        after: expect.objectContaining({ assigneeId: lena.id, reason: expect.objectContaining({ rule: 'least_loaded' }) }),
      },
    ]);
  });

  it('when slots are full, then the router leaves the conversation in the queue; manual assignment above capacity needs a manager and a reason', async () => {
    await closeAll();
    const a = await ingest({ language: 'de' });
    const b = await ingest({ language: 'de' });
    const c = await ingest({ language: 'de' });
    await until('two routed', async () => (await row(a.conversationId)).assigneeId && (await row(b.conversationId)).assigneeId);
    await pass();
    expect((await row(c.conversationId)).assigneeId).toBeNull();
    const byAgent = await api(paul.token).post(`/conversations/${c.conversationId}/assign`, { assigneeId: lena.id });
    expect(byAgent.status).toBe(409);
    const noReason = await api(manager.token).post(`/conversations/${c.conversationId}/assign`, { assigneeId: lena.id });
    expect(noReason.status).toBe(400);
    const ok = await api(manager.token).post(`/conversations/${c.conversationId}/assign`, { assigneeId: lena.id, overCapacityReason: 'Stammkundin' });
    expect(ok.status).toBe(200);
    const event = await app.services.db
      .selectFrom('auditEvents')
      .select('after')
      .where('subjectId', '=', c.conversationId)
      .where('action', '=', 'conversation.assigned')
      .executeTakeFirstOrThrow();
    expect(event.after).toMatchObject({ overCapacity: { load: 2, capacity: 2, reason: 'Stammkundin' } });
  });

  it('when an agent is away, then they get nothing new; when an answered conversation is reopened while they are away, then it goes back to the queue', async () => {
    await closeAll();
    const first = await ingest({ language: 'de', author: { externalId: 'reopen-1', name: 'Erika' } });
    await until('routed to Lena', async () => (await row(first.conversationId)).assigneeId === lena.id);
    await app.services.db.updateTable('conversations').set({ status: 'answered' }).where('id', '=', first.conversationId).execute();
    await api(lena.token).put(`/users/${lena.id}/presence`, { status: 'away', reason: 'meeting' });
    const fresh = await ingest({ language: 'de' });
    await ingest({ language: 'de', author: { externalId: 'reopen-1', name: 'Erika' } });
    await until('the reopened one back in the queue', async () => (await row(first.conversationId)).status === 'new');
    await pass();
    expect((await row(first.conversationId)).assigneeId).toBeNull();
    expect((await row(fresh.conversationId)).assigneeId).toBeNull();
    await api(lena.token).put(`/users/${lena.id}/presence`, { status: 'online' });
    await until('routed once Lena is back', async () => (await row(fresh.conversationId)).assigneeId === lena.id);
  });

  it('when many passes and arrivals run at once, then no agent ever holds more than their slots', async () => {
    await closeAll();
    await Promise.all([...Array.from({ length: 12 }, () => ingest({ language: 'de' })), ...Array.from({ length: 6 }, () => pass())]);
    await Promise.all(Array.from({ length: 4 }, () => pass()));
    const held = await app.services.db
      .selectFrom('conversations')
      .select(({ fn }) => ['assigneeId', fn.countAll<number>().as('n')])
      .where('status', '=', 'assigned')
      .groupBy('assigneeId')
      .execute();
    for (const h of held) expect(Number(h.n)).toBeLessThanOrEqual(2);
    expect(held.find((h) => h.assigneeId === lena.id)?.n).toBe('2');
  });

  it('when an online agent is deactivated, then the router gives them nothing more', async () => {
    await closeAll();
    const nina = await makeUser(app.services.db, { role: 'agent', name: 'Nina Neu' });
    for (const u of [lena, paul]) await api(u.token).put(`/users/${u.id}/presence`, { status: 'away', reason: 'meeting' });
    await api(nina.token).put(`/users/${nina.id}/presence`, { status: 'online' });
    const before = await ingest({ language: 'de' });
    await until('routed to Nina while active', async () => (await row(before.conversationId)).assigneeId === nina.id);
    await closeAll();

    await app.services.db.updateTable('users').set({ deactivatedAt: new Date() }).where('id', '=', nina.id).execute(); // her console tab still open
    const after = await ingest({ language: 'de' });
    await pass();
    expect((await row(after.conversationId)).assigneeId).toBeNull();
    for (const u of [lena, paul]) await api(u.token).put(`/users/${u.id}/presence`, { status: 'online' });
  });
});

describe('pull, absences, quiet consoles, unopened offers, the board', () => {
  it('when an agent takes the next one, then they get the most urgent eligible conversation; with nothing eligible, 204', async () => {
    await closeAll();
    await api(manager.token).patch(`/channels/${channel.channelId}`, { routing: { mode: 'pull' } });
    const low = await ingest({ language: 'en' });
    const urgent = await ingest({ language: 'en' });
    await app.services.db.updateTable('conversations').set({ priority: 'urgent' }).where('id', '=', urgent.conversationId).execute();
    await ingest({ language: 'de' });
    const r = await api(paul.token).post('/conversations/next');
    expect(r.status).toBe(200);
    expect(r.body.id).toBe(urgent.conversationId);
    expect(r.body.routing.reason).toBe('Routing: English, "Take next" (0/2)');
    expect((await api(paul.token).post('/conversations/next')).body.id).toBe(low.conversationId);
    expect((await api(paul.token).post('/conversations/next')).status).toBe(204); // full, and the German one is not his
  });

  it('when an absence starts, then the agent is skipped and their open conversations go to the deputy with the reason audited', async () => {
    const open = await app.services.db.selectFrom('conversations').select('id').where('assigneeId', '=', paul.id).where('status', '<>', 'closed').execute();
    expect(open.length).toBeGreaterThan(0);
    const bad = await api(manager.token).post('/absences', { userId: paul.id, from: '2026-12-24T00:00:00Z', to: '2026-12-20T00:00:00Z', reason: 'vacation' });
    expect(bad.status).toBe(400);
    expect((await api(paul.token).post('/absences', { userId: paul.id, from: new Date().toISOString(), to: inTwoWeeks(), reason: 'sick' })).status).toBe(403);
    const created = await api(manager.token).post('/absences', {
      userId: paul.id,
      from: new Date(Date.now() - 1000).toISOString(),
      to: inTwoWeeks(),
      reason: 'sick',
      deputyId: lena.id,
    });
    expect(created.status).toBe(201);
    await inTransaction(app.services.db, app.services.dispatcher, (tx, effects) => startAbsences(tx, effects));
    for (const c of open) expect((await row(c.id)).assigneeId).toBe(lena.id);
    const started = await app.services.db.selectFrom('auditEvents').select('after').where('action', '=', 'absence.started').executeTakeFirstOrThrow();
    expect(started.after).toMatchObject({ reason: 'sick', handedBack: open.length });
    expect((await api(paul.token).post('/conversations/next')).status).toBe(204);
    expect((await api(paul.token).get(`/absences?userId=${paul.id}`)).body.absences).toHaveLength(1);
    expect((await api(manager.token).delete(`/absences/${created.body.id}`)).status).toBe(204);
  });

  it('when no console tab is open for N minutes, then the agent goes offline (audited); a routed conversation not opened in time goes to the next agent', async () => {
    await closeAll();
    await api(manager.token).patch(`/channels/${channel.channelId}`, { routing: { mode: 'auto' } });
    await api(manager.token).patch(`/users/${paul.id}`, { skills: { languages: ['de', 'en'], topics: [], channels: [], regions: [] } });
    await api(paul.token).put(`/users/${paul.id}/presence`, { status: 'online' });
    const c = await ingest({ language: 'de' });
    const first = await until('routed', async () => (await row(c.conversationId)).assigneeId);
    const moved = await inTransaction(app.services.db, app.services.dispatcher, (tx, e) => reofferUnopened(tx, e, 10, new Date(Date.now() + 11 * 60_000)));
    expect(moved).toBe(1);
    expect((await row(c.conversationId)).assigneeId).not.toBe(first);
    const quiet = await inTransaction(app.services.db, app.services.dispatcher, (tx, e) => offlineQuietAgents(tx, e, 5, new Date(Date.now() + 6 * 60_000)));
    expect(quiet).toBeGreaterThanOrEqual(2);
    const profile = await app.services.db.selectFrom('agentProfiles').select('availability').where('userId', '=', lena.id).executeTakeFirstOrThrow();
    expect(profile.availability).toBe('offline');
  });

  it('when a manager reads the queues, then each channel has its figures; an agent may not', async () => {
    await closeAll();
    await ingest({ language: 'tr' });
    expect((await api(lena.token).get('/queues')).status).toBe(403);
    const r = await api(manager.token).get('/queues');
    const q = r.body.queues.find((x: { channelId: string }) => x.channelId === channel.channelId);
    expect(q).toMatchObject({ mode: 'auto', waiting: 1, agents: { online: 0, away: 0, offline: 3 }, capacity: { used: 0, free: 0 } });
    expect(q.oldestWaitSeconds).toBeGreaterThanOrEqual(0);
    expect(q.throughputPerHour).toBeGreaterThan(0);
    expect(q.expectedWaitSeconds).toBeGreaterThan(0);
  });
});
