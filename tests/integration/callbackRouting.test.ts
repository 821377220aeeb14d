/**
 * Callbacks and the router, through HTTP and the router's pass with the clock moved on (as routing.test.ts does):
 * a callback for tomorrow's window is in no queue before the window opens (less the lead) — not for the automatic
 * pass, not for "take next", not in the queue board's waiting count — and is routed at the opening; after a missed
 * call with a new due time, an unassigned case waits again until then.
 */
import request from 'supertest';
import { CALLBACK_LEAD_MINUTES } from '../../server/domain/callbacks/callbackOpening';
import { inTransaction } from '../../server/domain/effects';
import { routeWaiting } from '../../server/domain/routing/routeWaiting';
import { addDays, localDate } from '../../server/domain/time/zonedTime';
import { makeUser } from '../factories/factories';
import { csrfOfPage, signInAgent } from '../support/signIn';
import { startTestApp, type TestApp } from '../support/testApp';

const ORIGIN = 'https://shop.example';
const BERLIN = 'Europe/Berlin';
const LEAD_MS = CALLBACK_LEAD_MINUTES * 60_000;
let app: TestApp;
type Made = Awaited<ReturnType<typeof makeUser>>;
let lena: Made;
let manager: Made;
let site: { id: string; channelId: string };

let ipCounter = 0;
const api = (user: Made) => ({
  get: (path: string) => request(app.url).get(`/api/v1${path}`).auth(user.token, { type: 'bearer' }),
  post: (path: string, body: object = {}) => request(app.url).post(`/api/v1${path}`).auth(user.token, { type: 'bearer' }).send(body),
  put: (path: string, body: object) => request(app.url).put(`/api/v1${path}`).auth(user.token, { type: 'bearer' }).send(body),
  patch: (path: string, body: object) => request(app.url).patch(`/api/v1${path}`).auth(user.token, { type: 'bearer' }).send(body),
});
const tomorrow = () => addDays(localDate(BERLIN, new Date()), 1);

/** A visitor asks to be called back tomorrow 10:00-12:00 (Berlin); the case and its request row. */
async function requestCallback() {
  const res = await request(app.url)
    .post(`/widget/v1/sites/${site.id}/callbacks`)
    .set('Origin', ORIGIN)
    .set('X-Forwarded-For', `198.51.100.${(ipCounter += 1)}`)
    .send({ phone: '+49 170 1234567', name: 'Otto Normal', date: tomorrow(), from: '10:00', to: '12:00', consent: true });
  expect(res.status).toBe(201);
  const db = app.services.db;
  const c = await db.selectFrom('conversations').select('id').where('caseNumber', '=', res.body.caseNumber).executeTakeFirstOrThrow();
  const callback = await db.selectFrom('callbackRequests').selectAll().where('conversationId', '=', c.id).executeTakeFirstOrThrow();
  return { id: c.id, windowStart: callback.windowStart };
}
const row = (id: string) =>
  app.services.db.selectFrom('conversations').select(['status', 'assigneeId', 'routingReason']).where('id', '=', id).executeTakeFirstOrThrow();
/** The router's pass (what the worker runs after arrivals and on its sweep) as if it ran at `now`. */
const passAt = (now: Date) => inTransaction(app.services.db, app.services.dispatcher, (tx, effects) => routeWaiting(tx, effects, {}, now));
const waitingOnBoard = async () =>
  (await api(manager).get('/queues')).body.queues.find((q: { channelId: string }) => q.channelId === site.channelId).waiting as number;

beforeAll(async () => {
  app = await startTestApp();
  lena = await makeUser(app.services.db, { role: 'agent', name: 'Lena Vogt', locale: 'de' });
  manager = await makeUser(app.services.db, { role: 'manager', name: 'Jonas Berger', locale: 'de' });
  site = (
    await api(manager)
      .post('/chat-sites', { name: 'Rund um die Uhr', allowedOrigins: [ORIGIN], routing: { mode: 'auto', teamId: null } })
      .expect(201)
  ).body;
  // online with three free chat slots all along
  await api(lena).put(`/users/${lena.id}/presence`, { status: 'online' }).expect(200);
});
afterAll(() => app.stop());

it('when an agent with free slots is online before a callback window opens, then the router leaves the case waiting and routes it at the opening (less the lead)', async () => {
  const callback = await requestCallback();
  await passAt(new Date());
  expect(await row(callback.id)).toMatchObject({ status: 'new', assigneeId: null });
  await passAt(new Date(callback.windowStart.getTime() - LEAD_MS - 1_000));
  expect(await row(callback.id)).toMatchObject({ status: 'new', assigneeId: null });

  expect(await passAt(new Date(callback.windowStart.getTime() - LEAD_MS))).toMatchObject({ routed: 1 });
  expect(await row(callback.id)).toMatchObject({ status: 'assigned', assigneeId: lena.id, routingReason: expect.objectContaining({ rule: 'least_loaded' }) });
  const routed = await app.services.db
    .selectFrom('auditEvents')
    .select(['actorLabel', 'after'])
    .where('subjectId', '=', callback.id)
    .where('action', '=', 'conversation.routed')
    .execute();
  expect(routed).toEqual([{ actorLabel: 'router', after: expect.objectContaining({ assigneeId: lena.id }) }]);
});

it('when an agent takes the next one before a callback window opens, then it is skipped (204) and not counted as waiting; once open, it is hers', async () => {
  await api(manager)
    .patch(`/channels/${site.channelId}`, { routing: { mode: 'pull' } })
    .expect(200);
  const callback = await requestCallback();
  expect((await api(lena).post('/conversations/next')).status).toBe(204);
  expect(await waitingOnBoard()).toBe(0);
  expect(await row(callback.id)).toMatchObject({ status: 'new', assigneeId: null });

  // the window opens within the lead
  await app.services.db
    .updateTable('callbackRequests')
    .set({ windowStart: new Date(Date.now() + LEAD_MS - 10_000) })
    .where('conversationId', '=', callback.id)
    .execute();
  expect(await waitingOnBoard()).toBe(1);
  const taken = await api(lena).post('/conversations/next');
  expect(taken.status).toBe(200);
  expect(taken.body.id).toBe(callback.id);
  await api(manager)
    .patch(`/channels/${site.channelId}`, { routing: { mode: 'auto' } })
    .expect(200);
});

it('when a call to an unassigned callback is not reached with a new due time, then the case waits past its window and is routed at that time', async () => {
  const callback = await requestCallback();
  const agent = await signInAgent(app.url, lena);
  const csrf = await csrfOfPage(agent, `/conversations/${callback.id}`);
  const recorded = await agent
    .post(`/conversations/${callback.id}/callback-attempts`)
    .type('form')
    .set('HX-Request', 'true')
    .send({ _csrf: csrf, outcome: 'not_reached', nextDueAt: `${addDays(tomorrow(), 1)}T15:30` });
  expect(recorded.status).toBe(200);
  const { nextDueAt } = await app.services.db
    .selectFrom('callbackAttempts')
    .select('nextDueAt')
    .where('conversationId', '=', callback.id)
    .executeTakeFirstOrThrow();

  await passAt(callback.windowStart);
  expect(await row(callback.id)).toMatchObject({ status: 'new', assigneeId: null });
  await passAt(new Date(nextDueAt!.getTime() - LEAD_MS - 1_000));
  expect(await row(callback.id)).toMatchObject({ status: 'new', assigneeId: null });
  await passAt(new Date(nextDueAt!.getTime() - LEAD_MS));
  expect(await row(callback.id)).toMatchObject({ status: 'assigned', assigneeId: lena.id });
});
