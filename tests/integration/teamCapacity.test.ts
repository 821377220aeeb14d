/** A team's default slots: set by API and form (managers, admins), audited, and counted by the router, the queue board and the settings page alike. */
import request from 'supertest';
import { insertChannel } from '../../server/db/repositories/channels.repo';
import { addTeamMember, insertTeam } from '../../server/db/repositories/teams.repo';
import { systemActor, userActor } from '../../server/domain/audit/actor';
import { changeAvailability } from '../../server/domain/availability/setAvailability';
import { ingestBatch } from '../../server/domain/conversations/ingestBatch';
import { inTransaction, type Dispatcher } from '../../server/domain/effects';
import { routeWaiting } from '../../server/domain/routing/routeWaiting';
import { setChannelRouting } from '../../server/domain/routing/routingSettings';
import { makeUser } from '../factories/factories';
import { csrfFrom } from '../support/csrf';
import { startTestApp, type TestApp } from '../support/testApp';

let app: TestApp;
// jobs and live events are dropped: the test runs the routing pass itself, as the routing worker would
const quiet: Dispatcher = { publish: async () => undefined, enqueue: async () => undefined, onDispatchError: () => undefined };
const tx = <T>(fn: Parameters<typeof inTransaction<T>>[2]) => inTransaction(app.services.db, quiet, fn);

beforeAll(async () => {
  app = await startTestApp();
});
afterAll(() => app.stop());

const patchTeam = (token: string, teamId: string, body: object) => request(app.url).patch(`/api/v1/teams/${teamId}`).auth(token, { type: 'bearer' }).send(body);

test('when a team has chat 1 and its agent no slots of their own, then the router gives the agent one chat only, and board and settings page say 1', async () => {
  const db = app.services.db;
  const manager = await makeUser(db, { role: 'manager', name: 'Jonas Berger' });
  const agent = await makeUser(db, { role: 'agent', name: 'Mia Chat', locale: 'de' });
  const team = await insertTeam(db, 'Chat-Team');
  await addTeamMember(db, team.id, agent.id);
  const chat = await db
    .transaction()
    .execute((t) => insertChannel(t, { kind: 'webchat', name: 'Webshop-Chat', ingestTokenHash: null, webhookUrl: null, credentialsEnc: null }));
  await tx((t, e) =>
    setChannelRouting(t, e, { channelId: chat.id, routing: { mode: 'auto', teamId: team.id } }, { actor: userActor(manager), role: 'manager' }),
  );

  // an agent may not; out of bounds or unknown fields change nothing
  expect((await patchTeam(agent.token, team.id, { capacity: { chat: 1 } })).status).toBe(403);
  expect((await patchTeam(manager.token, team.id, { capacity: { chat: 101 } })).status).toBe(400);
  expect((await patchTeam(manager.token, team.id, { capacity: { video: 1 } })).status).toBe(400);
  const set = await patchTeam(manager.token, team.id, { capacity: { chat: 1, email: 4 } });
  expect(set.status).toBe(200);
  expect(set.body).toEqual({ teamId: team.id, name: 'Chat-Team', capacity: { chat: 1, email: 4 } });
  expect((await patchTeam(manager.token, team.id, { capacity: { email: null } })).body.capacity).toEqual({ chat: 1 });
  const audit = await db.selectFrom('auditEvents').select(['before', 'after']).where('action', '=', 'team.capacity_changed').orderBy('seq').execute();
  expect(audit).toEqual([
    { before: { team: 'Chat-Team', capacity: {} }, after: { team: 'Chat-Team', capacity: { chat: 1, email: 4 } } },
    { before: { team: 'Chat-Team', capacity: { chat: 1, email: 4 } }, after: { team: 'Chat-Team', capacity: { chat: 1 } } },
  ]);

  // the agent's own slots win; null clears them, and the answer gives the team's default again
  const own = (capacity: object) => request(app.url).patch(`/api/v1/users/${agent.id}`).auth(manager.token, { type: 'bearer' }).send({ capacity });
  expect((await own({ chat: 2 })).body.capacity).toEqual({ chat: 2, messaging: 5, social: 10, email: 15 });
  expect((await own({ chat: null })).body.capacity).toEqual({ chat: 1, messaging: 5, social: 10, email: 15 });

  await tx((t, e) => changeAvailability(t, e, { userId: agent.id, status: 'online' }, { actor: userActor(agent), user: null }));
  const chats = [1, 2, 3].map((i) => ({
    channelId: chat.id,
    externalId: `chat-${i}-${Date.now()}`,
    author: { externalId: `visitor-${i}`, name: 'Besucherin' },
    text: 'Hallo, wo ist mein Paket?',
    postedAt: new Date(),
  }));
  await tx((t, e) => ingestBatch(t, e, chats, systemActor('test')));
  await tx((t, e) => routeWaiting(t, e, {}));
  await tx((t, e) => routeWaiting(t, e, {}));
  const held = await db.selectFrom('conversations').select(['assigneeId', 'status']).where('channelId', '=', chat.id).execute();
  expect(held.filter((c) => c.assigneeId === agent.id)).toHaveLength(1);
  expect(held.filter((c) => c.status === 'new' && c.assigneeId === null)).toHaveLength(2);

  const board = (await request(app.url).get('/api/v1/queues').auth(manager.token, { type: 'bearer' })).body.queues;
  expect(board.find((q: { channelId: string }) => q.channelId === chat.id)).toMatchObject({ waiting: 2, capacity: { used: 1, free: 0 } });

  // the settings page shows the team's slots and what routing counts with for the agent
  const web = request.agent(app.url);
  const login = await web.get('/login');
  await web
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(login.text), email: manager.email, password: manager.password });
  const page = await web.get('/settings/routing');
  expect(page.status).toBe(200);
  const agentRow = page.text.slice(page.text.indexOf(`id="agent-${agent.id}"`));
  expect(agentRow).toMatch(/data-effective-slots>Routing counts with: Chat 1, Messaging 5, Social 10, E-mail 15</);

  // the form: an empty field clears the class, so the global default (3 chats) applies again
  const form = await web
    .post(`/settings/routing/teams/${team.id}`)
    .type('form')
    .send({ _csrf: csrfFrom(page.text), chat: '', messaging: '', social: '', email: '' });
  expect(form.status).toBe(303);
  await tx((t, e) => routeWaiting(t, e, {}));
  const after = await db.selectFrom('conversations').select('assigneeId').where('channelId', '=', chat.id).where('assigneeId', '=', agent.id).execute();
  expect(after).toHaveLength(3);
});
