/**
 * Scheduled report e-mails: managers subscribe (audited), and at their local morning the job's command
 * sends yesterday's summary once, in German and in English, through a local SMTP server — with the same
 * figures as the reports API (volume and service level per channel) and the backlog export.
 */
import request from 'supertest';
import { sendDueReportMails } from '../../server/domain/reports/reportMail';
import { addDays, localDate, zonedToInstant } from '../../server/domain/time/zonedTime';
import { formatPercent } from '../../server/i18n/translate';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { startSmtpSink, type SmtpSink } from '../support/smtpSink';
import { startTestApp, type TestApp } from '../support/testApp';

const TZ = 'Europe/Berlin';
let app: TestApp;
let smtp: SmtpSink;

beforeAll(async () => {
  [app, smtp] = await Promise.all([startTestApp(), startSmtpSink()]);
});
afterAll(async () => {
  await app.stop();
  await smtp.close();
});

/**
 * The first test's posts, its report day and its reading of that day must fall on one Berlin day, whatever
 * the hour CI runs at: within two minutes before or three after Berlin's midnight it waits for 00:03.
 */
async function clearOfMidnight() {
  const now = Date.now();
  const midnight = zonedToInstant(TZ, `${localDate(TZ, new Date(now + 120_000))}T00:00`).getTime();
  const wait = midnight + 180_000 - now;
  if (wait > 0 && wait <= 300_000) await new Promise((resolve) => setTimeout(resolve, wait));
}

const bearer = (token: string) => ({
  get: (path: string) => request(app.url).get(`/api/v1${path}`).auth(token, { type: 'bearer' }),
  post: (path: string, body: object) => request(app.url).post(`/api/v1${path}`).auth(token, { type: 'bearer' }).send(body),
  put: (path: string, body: object) => request(app.url).put(`/api/v1${path}`).auth(token, { type: 'bearer' }).send(body),
  patch: (path: string, body: object) => request(app.url).patch(`/api/v1${path}`).auth(token, { type: 'bearer' }).send(body),
  delete: (path: string) => request(app.url).delete(`/api/v1${path}`).auth(token, { type: 'bearer' }),
});

it('when managers subscribe to the daily report, then the next local morning each gets today’s figures once, in their language, equal to the reports API', async () => {
  await clearOfMidnight();
  const db = app.services.db;
  const de = await makeUser(db, { role: 'manager', name: 'Dana Deutsch', locale: 'de' });
  const en = await makeUser(db, { role: 'manager', name: 'Evan English', locale: 'en' });
  const agent = await makeUser(db, { role: 'agent' });
  expect((await bearer(de.token).put('/alert-settings', { smtpHost: smtp.host, smtpPort: smtp.port, mailFrom: 'reports@replyline.test' })).status).toBe(200);

  // a channel with a one-minute target: two posts two minutes old and unanswered (breached), one answered at once
  const channel = await makeApiChannel(db, app.services.secretBox, { name: 'Webshop' });
  const policy = await bearer(de.token).post('/sla-policies', { name: 'Eine Minute', calendarId: null, firstResponseMinutes: 1, nextResponseMinutes: 1 });
  expect((await bearer(de.token).patch(`/channels/${channel.channelId}`, { slaPolicyId: policy.body.id })).status).toBe(200);
  const ingest = (text: string, minutesAgo: number) =>
    request(app.url)
      .post(`/api/v1/channels/${channel.channelId}/messages`)
      .auth(channel.ingestToken, { type: 'bearer' })
      .send(inboundPost({ text, postedAt: new Date(Date.now() - minutesAgo * 60_000).toISOString() }))
      .expect(201);
  await ingest('Wo bleibt meine Bestellung?', 2);
  await ingest('Hallo, jemand da?', 2);
  const answered = await ingest('Kurze Frage zur Rechnung', 0);
  expect((await bearer(de.token).post(`/conversations/${answered.body.conversationId}/replies`, { text: 'Gern, hier die Antwort.' })).status).toBe(202);

  const subscribed = await bearer(de.token).post('/report-subscriptions', { frequency: 'daily', timeZone: TZ, sendHour: 7 });
  expect(subscribed.status).toBe(201);
  expect((await bearer(en.token).post('/report-subscriptions', { frequency: 'daily', timeZone: TZ })).status).toBe(201);
  expect((await bearer(agent.token).post('/report-subscriptions', { frequency: 'daily' })).status).toBe(403);
  expect((await bearer(de.token).post('/report-subscriptions', { frequency: 'hourly' })).status).toBe(400);
  expect((await bearer(de.token).get('/report-subscriptions')).body.subscriptions).toEqual([
    expect.objectContaining({ frequency: 'daily', timeZone: TZ, sendHour: 7 }),
  ]);
  const audit = await db.selectFrom('auditEvents').select(['action', 'actorId']).where('subjectId', '=', subscribed.body.id).execute();
  expect(audit).toEqual([{ action: 'report_subscription.created', actorId: de.id }]);

  const today = localDate(TZ, new Date());
  const deps = { db, secretBox: app.services.secretBox, baseUrl: 'http://replyline.test' };
  // tomorrow 06:30 in Berlin is before the send hour; at 08:00 today's report is due
  expect(await sendDueReportMails(deps, zonedToInstant(TZ, `${addDays(today, 1)}T06:30`))).toEqual({ sent: 0, failed: 0 });
  const morning = zonedToInstant(TZ, `${addDays(today, 1)}T08:00`);
  expect(await sendDueReportMails(deps, morning)).toEqual({ sent: 2, failed: 0 });
  expect(await sendDueReportMails(deps, new Date(morning.getTime() + 3600_000))).toEqual({ sent: 0, failed: 0 });
  const mails = await smtp.waitFor(2);
  expect(mails).toHaveLength(2);

  const sla = (await bearer(de.token).get(`/reports/sla?from=${today}&to=${today}&timeZone=${TZ}&granularity=day`)).body;
  const backlogCsv = (await bearer(de.token).get(`/reports/backlog.csv?from=${today}&to=${today}&timeZone=${TZ}`)).text;
  const backlog = backlogCsv
    .trim()
    .split('\n')
    .slice(1)
    .reduce((n, line) => n + Number(line.split(',').at(-1)), 0);
  const webshop = sla.channels.find((c: { channelName: string }) => c.channelName === 'Webshop');
  expect(webshop.totals).toMatchObject({ inbound: 3, breached: 2 });
  expect(backlog).toBeGreaterThanOrEqual(2);

  const german = mails.find((m) => m.envelopeTo[0] === de.email)!.mail;
  expect(german.subject).toBe(`Replyline-Tagesbericht ${today}`);
  expect(german.text).toContain(`Eingegangene Beiträge: ${sla.totals.inbound}`);
  expect(german.text).toContain(`Im Ziel beantwortet: ${formatPercent('de', sla.totals.pctWithinTarget)} (${sla.totals.breached} Verletzungen)`);
  expect(german.text).toContain(`Offen im Moment: ${backlog} Konversationen`);
  expect(german.text).toContain(`- Webshop: ${formatPercent('de', webshop.totals.pctWithinTarget)} im Ziel, 3 Beiträge, 2 Verletzungen`);
  expect(german.text).toMatch(/Die meisten Verletzungen:\n- Webshop: 2\n/);
  expect(german.text).toContain(`http://replyline.test/reports/sla?from=${today}&to=${today}&timeZone=Europe%2FBerlin`);

  const english = mails.find((m) => m.envelopeTo[0] === en.email)!.mail;
  expect(english.subject).toBe(`Replyline daily report ${today}`);
  expect(english.text).toContain(`Posts received: ${sla.totals.inbound}`);
  expect(english.text).toContain(`- Webshop: ${formatPercent('en', webshop.totals.pctWithinTarget)} within target, 3 posts, 2 breaches`);

  expect((await bearer(de.token).delete(`/report-subscriptions/${subscribed.body.id}`)).status).toBe(200);
  expect((await bearer(en.token).delete(`/report-subscriptions/${subscribed.body.id}`)).status).toBe(404); // not theirs
}, 360_000); // up to five minutes of waiting near midnight, see clearOfMidnight

it('when the SMTP server refuses, then the period is given back with the reason and the next run sends it', async () => {
  const db = app.services.db;
  const m = await makeUser(db, { role: 'manager', locale: 'en' });
  const sub = await bearer(m.token).post('/report-subscriptions', { frequency: 'weekly', timeZone: TZ });
  expect(sub.status).toBe(201);
  // a week later, with the SMTP server moved to a port nobody listens on
  const nextWeek = new Date(Date.now() + 7 * 86_400_000 + 3600_000);
  await bearer(m.token).put('/alert-settings', { smtpHost: smtp.host, smtpPort: 1, mailFrom: 'reports@replyline.test' });
  const deps = { db, secretBox: app.services.secretBox, baseUrl: 'http://replyline.test' };
  const at = zonedToInstant(TZ, `${localDate(TZ, nextWeek)}T09:00`);
  expect((await sendDueReportMails(deps, at)).failed).toBeGreaterThanOrEqual(1);
  const row = await db.selectFrom('reportSubscriptions').select(['lastPeriod', 'lastError']).where('id', '=', sub.body.id).executeTakeFirstOrThrow();
  expect(row.lastError).toBe(`${smtp.host} does not accept connections on port 1.`);
  await bearer(m.token).put('/alert-settings', { smtpHost: smtp.host, smtpPort: smtp.port, mailFrom: 'reports@replyline.test' });
  const before = smtp.received.length;
  expect((await sendDueReportMails(deps, at)).sent).toBeGreaterThanOrEqual(1);
  const mails = await smtp.waitFor(before + 1);
  expect(mails.some((x) => x.envelopeTo[0] === m.email && (x.mail.subject ?? '').startsWith('Replyline weekly report'))).toBe(true);
});
