/**
 * The alert kinds beside spikes and SLA: a negative-sentiment dip of a listening query, a channel that
 * stopped receiving and fails to poll, and a broken audit chain — each raised once, named in words with
 * its link, delivered by e-mail, bundled when found again, acknowledged by a person (audited). Rules are
 * edited and deleted (audited).
 */
import pg from 'pg';
import request from 'supertest';
import { inTransaction } from '../../server/domain/effects';
import { sweepAlerts } from '../../server/domain/alerts/sweepAlerts';
import { verifyAuditTrail } from '../../server/domain/audit/verifyAuditTrail';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { startSmtpSink, type SmtpSink } from '../support/smtpSink';
import { startTestApp, type TestApp } from '../support/testApp';
import { until } from '../support/until';

let app: TestApp;
let smtp: SmtpSink;
let manager: Awaited<ReturnType<typeof makeUser>>;

beforeAll(async () => {
  [app, smtp] = await Promise.all([startTestApp({ workers: true }), startSmtpSink()]);
  manager = await makeUser(app.services.db, { role: 'manager', name: 'Mia Manager', locale: 'de' });
  expect((await api(manager.token).put('/alert-settings', { smtpHost: smtp.host, smtpPort: smtp.port, mailFrom: 'alerts@replyline.test' })).status).toBe(200);
});
afterAll(async () => {
  await app.stop();
  await smtp.close();
});

function api(token: string) {
  const auth = <T extends request.Test>(r: T) => r.auth(token, { type: 'bearer' });
  return {
    get: (path: string) => auth(request(app.url).get(`/api/v1${path}`)),
    post: (path: string, body: object) => auth(request(app.url).post(`/api/v1${path}`)).send(body),
    put: (path: string, body: object) => auth(request(app.url).put(`/api/v1${path}`)).send(body),
    delete: (path: string) => auth(request(app.url).delete(`/api/v1${path}`)),
  };
}

const alertsOfRule = (ruleId: string) =>
  app.services.db.selectFrom('alerts').select(['id', 'state', 'occurrences', 'details', 'link']).where('ruleId', '=', ruleId).execute();
const mailsTo = (email: string) => smtp.received.filter((m) => m.envelopeTo.includes(email));
const auditOf = (subjectId: string) =>
  app.services.db.selectFrom('auditEvents').select(['action', 'actorId']).where('subjectId', '=', subjectId).orderBy('seq').execute();
const sweep = (now = new Date()) => inTransaction(app.services.db, app.services.dispatcher, (tx, effects) => sweepAlerts(tx, effects, now));

describe('negative-sentiment dip', () => {
  it('when the posts matching a query turn negative, then one dip alert names the share, links to the query and reaches the managers by e-mail', async () => {
    const channel = await makeApiChannel(app.services.db, app.services.secretBox);
    const query = await api(manager.token).post('/listening-queries', { name: 'Lieferung', query: 'lieferung*' });
    const rule = await api(manager.token).post('/alert-rules', {
      kind: 'negative_dip',
      scope: { queryId: query.body.id },
      minCount: 3,
      risePoints: 30,
      channels: ['console', 'email'],
    });
    expect(rule.status).toBe(201);
    const ingest = (text: string) =>
      request(app.url)
        .post(`/api/v1/channels/${channel.channelId}/messages`)
        .auth(channel.ingestToken, { type: 'bearer' })
        .send(inboundPost({ text }))
        .expect(201);

    await ingest('Danke, die Lieferung kam super schnell!');
    await ingest('Die Lieferung ist eine Katastrophe, schrecklich.');
    await ingest('Schon wieder eine verspätete Lieferung, eine Katastrophe.');
    const alert = await until('the dip alert', async () => (await alertsOfRule(rule.body.id)).find((a) => a.state === 'open'));
    expect(alert!.details).toMatchObject({ subject: 'Lieferung', count: 3, negative: 2, share: 66.7, baselineShare: 0 });
    expect(alert!.link).toContain(query.body.id);
    const mail = await until('the dip e-mail', async () => mailsTo(manager.email).find((m) => m.mail.subject === 'Stimmung kippt: Lieferung'));
    expect(mail!.mail.text).toContain('66,7 % negative Beiträge in 60 Minuten zu „Lieferung“ (2 von 3');
  });
});

describe('channel failure', () => {
  it('when a channel is silent far beyond its usual gap and its polls fail, then one alert names both, the next sweeps only bundle, and an admin acknowledges it', async () => {
    const db = app.services.db;
    const admin = await makeUser(db, { role: 'admin', name: 'Ali Admin', locale: 'en' });
    const channel = await makeApiChannel(db, app.services.secretBox, { name: 'Shop-Postfach' });
    const post = await request(app.url)
      .post(`/api/v1/channels/${channel.channelId}/messages`)
      .auth(channel.ingestToken, { type: 'bearer' })
      .send(inboundPost({ text: 'Hallo?' }))
      .expect(201);
    const fiveHoursAgo = new Date(Date.now() - 5 * 3600_000);
    await db.updateTable('messages').set({ postedAt: fiveHoursAgo }).where('id', '=', post.body.messageId).execute();
    await db
      .updateTable('channels')
      .set({ consecutiveFailures: 4, lastErrorKind: 'transient', lastErrorAt: new Date() })
      .where('id', '=', channel.channelId)
      .execute();
    const rule = await api(manager.token).post('/alert-rules', {
      kind: 'channel_failure',
      scope: { channelId: channel.channelId },
      silentMinutes: 120,
      channels: ['console', 'email'],
    });
    expect(rule.status).toBe(201);

    await sweep();
    await sweep();
    const alert = await until('the channel alert', async () => (await alertsOfRule(rule.body.id)).find((a) => a.occurrences >= 2));
    expect(await alertsOfRule(rule.body.id)).toHaveLength(1);
    expect(alert!.details).toMatchObject({ subject: 'Shop-Postfach', reasons: 'silent,polling', failures: 4 });
    expect(alert!.link).toBe(`/settings/channels#channel-${channel.channelId}`);
    const mail = await until('the admin e-mail', async () => mailsTo(admin.email)[0]);
    expect(mail!.mail.subject).toBe('Channel failing: Shop-Postfach');
    expect(mail!.mail.text).toMatch(/^No inbound post for 30\d minutes\. 4 polls in a row failed\./);
    expect(mailsTo(admin.email)).toHaveLength(1);

    expect((await api(admin.token).post(`/alerts/${alert!.id}/ack`, {})).status).toBe(200);
    expect(await auditOf(alert!.id)).toEqual([
      { action: 'alert.raised', actorId: null },
      { action: 'alert.acknowledged', actorId: admin.id },
    ]);
  });

  it('when a rule is edited and deleted, then both are audited with before and after, and a deleted rule watches no more', async () => {
    const rule = await api(manager.token).post('/alert-rules', { kind: 'channel_failure', channels: ['console'] });
    expect(rule.body.params).toMatchObject({ silentMinutes: 240, gapFactor: 3, failureCount: 3, failedReplies: 3 });
    const edited = await api(manager.token).put(`/alert-rules/${rule.body.id}`, { kind: 'channel_failure', failedReplies: 1, channels: ['email'] });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ params: { failedReplies: 1 }, channels: ['email'] });
    expect((await api(manager.token).put(`/alert-rules/${rule.body.id}`, { kind: 'audit_break', channels: ['email'] })).status).toBe(400);
    expect((await api(manager.token).delete(`/alert-rules/${rule.body.id}`)).status).toBe(200);
    expect((await api(manager.token).delete(`/alert-rules/${rule.body.id}`)).status).toBe(404);
    expect((await api(manager.token).get('/alert-rules')).body.rules.map((r: { id: string }) => r.id)).not.toContain(rule.body.id);
    const events = await app.services.db
      .selectFrom('auditEvents')
      .select(['action', 'before', 'after'])
      .where('subjectId', '=', rule.body.id)
      .orderBy('seq')
      .execute();
    expect(events.map((e) => e.action)).toEqual(['alert_rule.created', 'alert_rule.updated', 'alert_rule.deleted']);
    expect(events[1]).toMatchObject({ before: { channels: ['console'] }, after: { channels: ['email'], params: { failedReplies: 1 } } });
  });
});

describe('audit chain broken (this file keeps a broken chain from here on)', () => {
  it('when verification finds a tampered event, then the admins and auditors get an audit_break alert (e-mail too) instead of the bare notification, and an auditor acknowledges it', async () => {
    const db = app.services.db;
    const auditor = await makeUser(db, { role: 'auditor', name: 'Ada Auditor', locale: 'de' });
    const rule = await api(manager.token).post('/alert-rules', { kind: 'audit_break', channels: ['console', 'email'] });
    expect(rule.status).toBe(201);
    const victim = await db.selectFrom('auditEvents').select('seq').orderBy('seq').limit(1).executeTakeFirstOrThrow();
    const su = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await su.connect();
    await su.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
    await su.query(`UPDATE audit_events SET after = '{"forged": true}' WHERE seq = $1`, [victim.seq]);
    await su.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    await su.end();

    const v = await verifyAuditTrail(db, app.services.dispatcher, { mode: 'full', trigger: 'cli' });
    expect(v.ok).toBe(false);
    const alert = await until('the audit alert', async () => (await alertsOfRule(rule.body.id))[0]);
    expect(alert).toMatchObject({ state: 'open', link: '/audit', details: { brokenAtSeq: victim.seq } });
    const mail = await until('the auditor e-mail', async () => mailsTo(auditor.email)[0]);
    expect(mail!.mail.subject).toBe('Audit-Kette unterbrochen');
    expect(mail!.mail.text).toContain(`Bei Ereignis ${victim.seq}:`);
    const told = await db.selectFrom('notifications').select(['userId', 'kind']).where('alertId', '=', alert!.id).execute();
    expect(told.map((n) => n.userId)).toContain(auditor.id);
    expect(await db.selectFrom('notifications').select('id').where('kind', '=', 'audit_break').execute()).toEqual([]);

    expect((await api(auditor.token).post(`/alerts/${alert!.id}/ack`, {})).status).toBe(200);
    const ack = await db.selectFrom('auditEvents').select(['actorId']).where('subjectId', '=', alert!.id).where('action', '=', 'alert.acknowledged').execute();
    expect(ack).toEqual([{ actorId: auditor.id }]);
  });
});
