/**
 * Alerts end to end: a burst matching a listening query raises one volume-spike alert, delivered once to
 * the console (notification), to a local SMTP server and to a local push endpoint, then nothing more
 * inside the cooldown; an SLA warning reaches the assigned agent and the team's managers; acknowledging is audited.
 */
import { createECDH, randomBytes } from 'node:crypto';
import request from 'supertest';
import { fireSlaTimer } from '../../jobs/slaTimers';
import type { LiveEvent } from '../../server/domain/effects';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { startPushEndpoint } from '../support/pushEndpoint';
import { signInAgent } from '../support/signIn';
import { startSmtpSink, type SmtpSink } from '../support/smtpSink';
import { startTestApp, type TestApp } from '../support/testApp';
import { until } from '../support/until';

let app: TestApp;
let smtp: SmtpSink;
let push: Awaited<ReturnType<typeof startPushEndpoint>>;
let manager: Awaited<ReturnType<typeof makeUser>>;
let channel: Awaited<ReturnType<typeof makeApiChannel>>;

beforeAll(async () => {
  [app, smtp, push] = await Promise.all([startTestApp({ workers: true }), startSmtpSink(), startPushEndpoint()]);
  manager = await makeUser(app.services.db, { role: 'manager', name: 'Jonas Berger', locale: 'de' });
  channel = await makeApiChannel(app.services.db, app.services.secretBox);
  const settings = await api(manager.token).put('/alert-settings', { smtpHost: smtp.host, smtpPort: smtp.port, mailFrom: 'alerts@replyline.test' });
  expect(settings.status).toBe(200);
  expect((await api(manager.token).get('/push/vapid-public-key')).body.publicKey).toMatch(/^[\w-]{80,}$/);
  const browserKey = createECDH('prime256v1');
  browserKey.generateKeys();
  const subscribed = await api(manager.token).post('/push-subscriptions', {
    endpoint: `${push.url}/push/manager-browser`,
    keys: { p256dh: browserKey.getPublicKey().toString('base64url'), auth: randomBytes(16).toString('base64url') },
  });
  expect(subscribed.status).toBe(201);
});
afterAll(async () => {
  await app.stop();
  await smtp.close();
  await push.close();
});

function api(token: string) {
  return {
    get: (path: string) => request(app.url).get(`/api/v1${path}`).auth(token, { type: 'bearer' }),
    post: (path: string, body: object) => request(app.url).post(`/api/v1${path}`).auth(token, { type: 'bearer' }).send(body),
    put: (path: string, body: object) => request(app.url).put(`/api/v1${path}`).auth(token, { type: 'bearer' }).send(body),
  };
}

async function ingest(text: string) {
  const res = await request(app.url)
    .post(`/api/v1/channels/${channel.channelId}/messages`)
    .auth(channel.ingestToken, { type: 'bearer' })
    .send(inboundPost({ text }));
  expect(res.status).toBe(201);
  return res.body as { conversationId: string; messageId: string; caseNumber: string };
}

const notificationsOf = (userId: string) =>
  app.services.db.selectFrom('notifications').select(['kind', 'alertId']).where('userId', '=', userId).where('kind', '=', 'alert').execute();
const settle = () => new Promise((r) => setTimeout(r, 1500));

describe('volume-spike alerts', () => {
  it('when a burst matches a query, then one alert reaches the console, the SMTP server and the push endpoint once, and repeats inside the cooldown are bundled', async () => {
    const query = await api(manager.token).post('/listening-queries', { name: 'Streik', query: 'streik* OR #streik' });
    const rule = await api(manager.token).post('/alert-rules', {
      kind: 'volume_spike',
      scope: { queryId: query.body.id },
      windowMinutes: 60,
      sensitivity: 3,
      minCount: 5,
      cooldownMinutes: 60,
      channels: ['console', 'email', 'push'],
    });
    expect(rule.status).toBe(201);
    expect((await api(manager.token).post('/alert-rules', { kind: 'volume_spike', scope: {}, channels: [] })).status).toBe(400);

    for (let i = 0; i < 4; i++) await ingest(`Heute wieder Streik bei der Bahn, Nummer ${i}`);
    await ingest('Ganz anderes Thema, nur eine Frage zur Rechnung');
    await settle();
    expect(
      await api(manager.token)
        .get('/alerts?state=open')
        .then((r) => r.body.alerts),
    ).toEqual([]);

    await ingest('#Streik schon wieder, das ist der fünfte');
    const alert = await until('the spike alert', async () => (await api(manager.token).get('/alerts?state=open')).body.alerts[0]);
    expect(alert).toMatchObject({
      kind: 'volume_spike',
      details: { subject: 'Streik', count: 5, windowMinutes: 60 },
      link: expect.stringContaining(query.body.id),
    });
    const [mail] = await smtp.waitFor(1);
    expect(mail!.envelopeTo).toEqual([manager.email]);
    expect(mail!.mail.subject).toBe('Volumenspitze: Streik');
    expect(mail!.mail.text).toContain('5 Beiträge in 60 Minuten');
    await until('the push message', async () => push.received.length >= 1);
    expect(push.received.map((r) => r.problems)).toEqual([[]]);
    expect(push.received[0]!.body.includes(Buffer.from('Streik'))).toBe(false); // encrypted, not plain text
    expect(await notificationsOf(manager.id)).toEqual([{ kind: 'alert', alertId: alert.id }]);

    for (let i = 0; i < 3; i++) await ingest(`Streik Tag zwei, Beitrag ${i}`);
    await until('the repeats to be bundled', async () => (await api(manager.token).get('/alerts?state=open')).body.alerts[0]?.occurrences > 1);
    await settle();
    expect(smtp.received).toHaveLength(1);
    expect(push.received).toHaveLength(1);
    expect(await notificationsOf(manager.id)).toHaveLength(1);
    const alerts = (await api(manager.token).get('/alerts')).body.alerts;
    expect(alerts).toHaveLength(1);

    const ack = await api(manager.token).post(`/alerts/${alert.id}/ack`, {});
    expect(ack.status).toBe(200);
    expect((await api(manager.token).post(`/alerts/${alert.id}/ack`, {})).status).toBe(409);
    const audit = await app.services.db.selectFrom('auditEvents').select(['action', 'actorId']).where('subjectId', '=', alert.id).orderBy('seq').execute();
    expect(audit).toEqual([
      { action: 'alert.raised', actorId: null },
      { action: 'alert.acknowledged', actorId: manager.id },
    ]);
  });
});

describe('SLA alerts', () => {
  it('when an SLA warning fires, then the assigned agent and the team managers get it in the console and by e-mail', async () => {
    const db = app.services.db;
    const agent = await makeUser(db, { role: 'agent', name: 'Lena Vogt', locale: 'en' });
    const teamManager = await makeUser(db, { role: 'manager', name: 'Team Lead' });
    const team = await db
      .insertInto('teams')
      .values({ name: `Care ${Date.now()}` })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('teamMembers')
      .values([
        { teamId: team.id, userId: agent.id },
        { teamId: team.id, userId: teamManager.id },
      ])
      .execute();
    const rule = await api(manager.token).post('/alert-rules', { kind: 'sla_warning', scope: { teamId: team.id }, channels: ['console', 'email'] });
    expect(rule.status).toBe(201);

    const post = await ingest('Wann kommt mein Paket?');
    await db.updateTable('conversations').set({ teamId: team.id, assigneeId: agent.id, status: 'assigned' }).where('id', '=', post.conversationId).execute();
    const now = new Date();
    await db
      .updateTable('messages')
      .set({ slaState: 'ok', slaWarnAt: new Date(now.getTime() - 1000), slaDueAt: new Date(now.getTime() + 600_000) })
      .where('id', '=', post.messageId)
      .execute();
    const before = smtp.received.length;
    expect(await fireSlaTimer({ db, dispatcher: app.services.dispatcher }, 'warning', post.messageId)).toBe('fired');

    const mails = await smtp.waitFor(before + 2);
    const fresh = mails.slice(before);
    expect(fresh.map((m) => m.envelopeTo[0]).sort()).toEqual([agent.email, teamManager.email].sort());
    expect(fresh.find((m) => m.envelopeTo[0] === agent.email)!.mail.subject).toBe(`SLA warning: case ${post.caseNumber}`);
    expect(await notificationsOf(agent.id)).toHaveLength(1);
    expect(await notificationsOf(teamManager.id)).toHaveLength(1);
    expect(await notificationsOf(manager.id)).toHaveLength(1); // only the spike alert: not in this team
    const bell = await request(app.url).get('/api/v1/notifications').auth(agent.token, { type: 'bearer' });
    expect(bell.body.notifications).toEqual([expect.objectContaining({ kind: 'alert' })]);
    // in the console, on any page: every page's bell listens for the person's live notifications and counts the alert
    for (const person of [agent, teamManager]) {
      const session = await signInAgent(app.url, person);
      for (const page of ['/inbox', '/settings/sla', '/notifications'])
        expect((await session.get(page)).text).toContain(`hx-trigger="load, sse:notify-${person.id}"`);
      expect((await session.get('/notifications/bell')).text).toContain('id="bell-count">1</span>');
    }
    const list = await (await signInAgent(app.url, agent)).get('/notifications');
    expect(list.text).toContain(`SLA warning: case ${post.caseNumber}`);
  });

  it('when an SLA breach fires, then the breach rule raises its alert, the warning rule stays quiet, and the consoles hear "breached"', async () => {
    const db = app.services.db;
    const team = await db
      .insertInto('teams')
      .values({ name: `Escalation ${Date.now()}` })
      .returning('id')
      .executeTakeFirstOrThrow();
    const rules = new Map<string, string>();
    for (const kind of ['sla_warning', 'sla_breach']) {
      const rule = await api(manager.token).post('/alert-rules', { kind, scope: { teamId: team.id }, channels: ['console'] });
      expect(rule.status).toBe(201);
      rules.set(rule.body.id, kind);
    }
    const post = await ingest('Immer noch keine Antwort');
    await db.updateTable('conversations').set({ teamId: team.id }).where('id', '=', post.conversationId).execute();
    const now = Date.now();
    await db
      .updateTable('messages')
      .set({ slaState: 'warning', slaWarnAt: new Date(now - 600_000), slaDueAt: new Date(now - 1000) })
      .where('id', '=', post.messageId)
      .execute();
    const heard: LiveEvent[] = [];
    const stop = app.services.live.subscribe((e) => heard.push(e));
    try {
      expect(await fireSlaTimer({ db, dispatcher: app.services.dispatcher }, 'breach', post.messageId)).toBe('fired');
      await until('the breach on the live channel', async () => heard.some((e) => e.type === 'conversation' && e.conversationId === post.conversationId));
    } finally {
      stop();
    }
    expect(heard.filter((e) => e.type === 'sla' && e.messageId === post.messageId)).toEqual([
      expect.objectContaining({ event: 'breached', messageId: post.messageId, caseNumber: post.caseNumber }),
    ]);
    const raised = await db
      .selectFrom('alerts')
      .select('ruleId')
      .where('ruleId', 'in', [...rules.keys()])
      .execute();
    expect(raised.map((a) => rules.get(a.ruleId))).toEqual(['sla_breach']);
  });
});
