/**
 * The chat service level report (issue #18) against chat_sessions rows with known times: offered, accepted,
 * accepted within the target, abandoned and their wait, the speed of answer p50/p90, per bucket and in total,
 * counting only chats started within the site's opening hours; the API's guards and the reports page's table.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { systemActor } from '../../server/domain/audit/actor';
import { ingestBatch } from '../../server/domain/conversations/ingestBatch';
import { inTransaction, type Dispatcher } from '../../server/domain/effects';
import { makeUser } from '../factories/factories';
import { signInAgent } from '../support/signIn';
import { startTestApp, type TestApp } from '../support/testApp';

let app: TestApp;
let manager: Awaited<ReturnType<typeof makeUser>>;
let site: { id: string; channelId: string };
const quiet: Dispatcher = { publish: async () => undefined, enqueue: async () => undefined, onDispatchError: () => undefined };

/** Berlin in November is UTC+1: local 10:00 is 09:00Z. */
const berlin = (local: string) => new Date(`${local}+01:00`);
const after = (at: Date, seconds: number) => new Date(at.getTime() + seconds * 1000);

/** Chats of the week of Monday 2026-11-02; the site is open Mon–Fri 09:00–17:00 Berlin. */
const CHATS = [
  { start: '2026-11-02T10:00:00', accepted: 10 }, // within the 20 s target
  { start: '2026-11-02T10:30:00', accepted: 30 },
  { start: '2026-11-02T11:00:00', accepted: 5 }, // within
  { start: '2026-11-02T11:15:00', abandoned: 40 },
  { start: '2026-11-02T12:00:00', abandoned: 100 },
  { start: '2026-11-02T08:30:00', accepted: 1 }, // before opening: not counted
  { start: '2026-11-02T18:00:00', abandoned: 5 }, // after closing: not counted
  { start: '2026-11-03T09:00:00', accepted: 20 }, // at opening, exactly on target: within
  { start: '2026-11-03T16:59:59', accepted: 60 },
  { start: '2026-11-03T17:00:00', accepted: 2 }, // at closing: not counted
];

async function chatSessions(siteId: string, channelId: string, chats: { start: Date; accepted?: number; abandoned?: number }[]) {
  const posts = chats.map((_, i) => ({
    channelId,
    externalId: `chat-${randomUUID()}`,
    author: { externalId: `visitor-${randomUUID()}`, name: `Besucher ${i}` },
    text: 'Hallo?',
    postedAt: new Date(),
  }));
  const ingested = await inTransaction(app.services.db, quiet, (tx, e) => ingestBatch(tx, e, posts, systemActor('test')));
  await app.services.db
    .insertInto('chatSessions')
    .values(
      chats.map((c, i) => ({
        conversationId: ingested[i]!.conversationId,
        siteId,
        visitorTokenHash: randomUUID(),
        visitorId: `visitor-${i}-${randomUUID().slice(0, 8)}`,
        startedAt: c.start,
        lastVisitorAt: c.start,
        acceptedAt: c.accepted === undefined ? null : after(c.start, c.accepted),
        acceptedBy: c.accepted === undefined ? null : manager.id,
        endedAt: c.abandoned === undefined ? null : after(c.start, c.abandoned),
        endReason: c.abandoned === undefined ? null : ('customer' as const),
      })),
    )
    .execute();
}

beforeAll(async () => {
  app = await startTestApp();
  manager = await makeUser(app.services.db, { role: 'manager', locale: 'de' });
  const calendar = await request(app.url)
    .post('/api/v1/calendars')
    .auth(manager.token, { type: 'bearer' })
    .send({ name: 'Shop', timeZone: 'Europe/Berlin', weekly: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['09:00', '17:00']]])) })
    .expect(201);
  site = (
    await request(app.url)
      .post('/api/v1/chat-sites')
      .auth(manager.token, { type: 'bearer' })
      .send({ name: 'Webshop', calendarId: calendar.body.id, targetSeconds: 20, targetPercent: 80 })
      .expect(201)
  ).body;
  await chatSessions(
    site.id,
    site.channelId,
    CHATS.map((c) => ({ ...c, start: berlin(c.start) })),
  );
});
afterAll(() => app.stop());

const report = (query: string, token = manager.token) => request(app.url).get(`/api/v1/reports/chat?${query}`).auth(token, { type: 'bearer' });

describe('GET /api/v1/reports/chat', () => {
  it('when the week is asked by day, then only chats within opening hours count, with the figures per day and in total', async () => {
    const res = await report(`siteId=${site.id}&from=2026-11-02&to=2026-11-08&granularity=day&timeZone=Europe/Berlin`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ siteId: site.id, siteName: 'Webshop', from: '2026-11-02', to: '2026-11-08', target: { seconds: 20, percent: 80 } });
    expect(res.body.openingHours).toMatchObject({ name: 'Shop' });
    // ASA of 10, 30, 5, 20, 60 s: p50 20, p90 30 + 0.6 × 30 = 48; abandoned after 40 and 100 s: mean 70, p90 94
    expect(res.body.total).toEqual({
      offered: 7,
      accepted: 5,
      acceptedWithinTarget: 3,
      pctWithinTarget: 42.9,
      abandoned: 2,
      abandonedWaitSeconds: { mean: 70, p90: 94 },
      asaSeconds: { p50: 20, p90: 48 },
      waiting: 0,
    });
    expect(res.body.buckets).toEqual([
      {
        bucket: '2026-11-02',
        offered: 5,
        accepted: 3,
        acceptedWithinTarget: 2,
        pctWithinTarget: 40,
        abandoned: 2,
        abandonedWaitSeconds: { mean: 70, p90: 94 },
        asaSeconds: { p50: 10, p90: 26 },
        waiting: 0,
      },
      {
        bucket: '2026-11-03',
        offered: 2,
        accepted: 2,
        acceptedWithinTarget: 1,
        pctWithinTarget: 50,
        abandoned: 0,
        abandonedWaitSeconds: { mean: null, p90: null },
        asaSeconds: { p50: 40, p90: 56 },
        waiting: 0,
      },
    ]);
  });

  it('when asked by hour in UTC, then the buckets are the UTC hours of the starts', async () => {
    const res = await report(`siteId=${site.id}&from=2026-11-02&to=2026-11-02&granularity=hour&timeZone=UTC`);
    expect(res.status).toBe(200);
    expect(res.body.buckets.map((b: { bucket: string; offered: number }) => [b.bucket, b.offered])).toEqual([
      ['2026-11-02T09:00', 2],
      ['2026-11-02T10:00', 2],
      ['2026-11-02T11:00', 1],
    ]);
  });

  it('when the site has no opening hours, then every chat counts, and one still waiting under the target is not decided yet', async () => {
    const open = (await request(app.url).post('/api/v1/chat-sites').auth(manager.token, { type: 'bearer' }).send({ name: 'Rund um die Uhr' }).expect(201)).body;
    await chatSessions(
      open.id,
      open.channelId,
      CHATS.map((c) => ({ ...c, start: berlin(c.start) })),
    );
    const week = await report(`siteId=${open.id}&from=2026-11-02&to=2026-11-08&timeZone=Europe/Berlin`);
    expect(week.body.total).toMatchObject({ offered: 10, accepted: 7, acceptedWithinTarget: 5, abandoned: 3, pctWithinTarget: 50 });
    expect(week.body.openingHours).toBeNull();

    const now = Date.now();
    await chatSessions(open.id, open.channelId, [{ start: new Date(now - 5_000) }, { start: new Date(now - 60_000) }]);
    const today = await report(`siteId=${open.id}&preset=today&timeZone=UTC`);
    // two waiting: the one waiting 60 s has missed the target, the one waiting 5 s may still make it
    expect(today.body.total).toMatchObject({ offered: 2, accepted: 0, waiting: 2, pctWithinTarget: 0, asaSeconds: { p50: null, p90: null } });
  });

  it('when nothing happened in the range, then zeros and no buckets', async () => {
    const res = await report(`siteId=${site.id}&from=2026-10-01&to=2026-10-02&timeZone=Europe/Berlin`);
    expect(res.status).toBe(200);
    expect(res.body.buckets).toEqual([]);
    expect(res.body.total).toMatchObject({ offered: 0, pctWithinTarget: null, asaSeconds: { p50: null, p90: null } });
  });

  it.each([
    ['year 9999', 'from=9999-12-01&to=9999-12-31'],
    ['year 0001', 'from=0001-01-01&to=0001-01-02'],
    ['a month that does not exist', 'from=2026-13-01&to=2026-13-02'],
    ['more than 400 days', 'from=2024-01-01&to=2026-01-01'],
    ['hours over more than 31 days', 'from=2026-01-01&to=2026-03-01&granularity=hour'],
    ['a granularity of months', 'from=2026-11-01&to=2026-11-02&granularity=month'],
    ['an unknown time zone', 'from=2026-11-01&to=2026-11-02&timeZone=Mars/Olympus'],
    ['from after to', 'from=2026-11-05&to=2026-11-01'],
  ])('when the range has %s, then 400', async (_what, query) => {
    const res = await report(`siteId=${site.id}&${query}`);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(/Invalid query|chat report/);
  });

  it('when the site is missing, unknown or the caller an agent, then 400, 404 or 403', async () => {
    expect((await report('from=2026-11-02&to=2026-11-03')).status).toBe(400);
    expect((await report('siteId=nope&from=2026-11-02&to=2026-11-03')).status).toBe(400);
    expect((await report(`siteId=${randomUUID()}&from=2026-11-02&to=2026-11-03`)).status).toBe(404);
    const agent = await makeUser(app.services.db, { role: 'agent' });
    expect((await report(`siteId=${site.id}&from=2026-11-02&to=2026-11-03`, agent.token)).status).toBe(403);
    const auditor = await makeUser(app.services.db, { role: 'auditor' });
    expect((await report(`siteId=${site.id}&from=2026-11-02&to=2026-11-03`, auditor.token)).status).toBe(200);
  });
});

describe('the reports page', () => {
  it('when a German manager opens the SLA report for the week, then the website chat table shows the site in German', async () => {
    const web = await signInAgent(app.url, manager);
    const page = await web.get('/reports/sla?from=2026-11-02&to=2026-11-08&timeZone=Europe/Berlin');
    expect(page.status).toBe(200);
    expect(page.text).toContain('Website-Chat');
    const row = new RegExp(`<tr data-site-id="${site.id}"[\\s\\S]*?</tr>`).exec(page.text)?.[0] ?? '';
    expect(row).toContain('Webshop');
    expect(row).toContain('80 % in 20 Sek.');
    expect(row).toMatch(/data-col="offered">7</);
    expect(row).toMatch(/data-col="pctWithinTarget">42,9</);
    expect(row).toContain('70 Sek. / 94 Sek.');
    // a year-9999 range leaves the chat table out instead of failing the page
    expect((await web.get('/reports/sla?from=9999-12-01&to=9999-12-31')).status).not.toBe(500);
  });
});
