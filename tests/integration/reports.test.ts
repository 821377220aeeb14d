/**
 * The SLA report API against seeded posts: every figure is recomputed here in plain TypeScript from the
 * seeded rows (local buckets via Intl, percentiles by hand) and compared with the API.
 */
import request from 'supertest';
import { makeApiChannel, makeUser } from '../factories/factories';
import { makeTopic, reportScenario, seedTimedPosts, type SeededPost } from '../support/reportsSeed';
import { startTestApp, type TestApp } from '../support/testApp';
import { csrfFrom } from '../support/csrf';
import { addTeamMember, insertTeam } from '../../server/db/repositories/teams.repo';
import { buildPeople } from '../../server/domain/reports/buildReports';

let app: TestApp;
let manager: Awaited<ReturnType<typeof makeUser>>;
let agent1: Awaited<ReturnType<typeof makeUser>>;
let agent2: Awaited<ReturnType<typeof makeUser>>;
let channelA: string;
let channelB: string;
let topicId: string;
let posts: SeededPost[];

beforeAll(async () => {
  app = await startTestApp();
  const { db, secretBox } = app.services;
  manager = await makeUser(db, { role: 'manager' });
  agent1 = await makeUser(db, { role: 'agent', name: 'Agnes Agent' });
  agent2 = await makeUser(db, { role: 'agent', name: 'Bodo Agent' });
  channelA = (await makeApiChannel(db, secretBox, { name: 'Reports A' })).channelId;
  channelB = (await makeApiChannel(db, secretBox, { name: 'Reports B' })).channelId;
  topicId = (await makeTopic(db, channelA, 'Lieferung')).id;
  posts = await seedTimedPosts(db, reportScenario(channelA, channelB, topicId, agent1.id, agent2.id));
});
afterAll(async () => {
  await app.stop();
});

// ---- the expected figures, computed independently ------------------------------------------------

function localParts(timeZone: string, at: Date) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return { date: `${parts.year}-${parts.month}-${parts.day}`, hour: parts.hour! };
}

function bucketOf(timeZone: string, granularity: string, at: Date): string {
  const { date, hour } = localParts(timeZone, at);
  if (granularity === 'hour') return `${date}T${hour}:00`;
  if (granularity === 'day') return date;
  const d = new Date(`${date}T00:00:00Z`);
  const back = (d.getUTCDay() + 6) % 7; // days since Monday
  return new Date(d.getTime() - back * 86_400_000).toISOString().slice(0, 10);
}

function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((x, y) => x - y);
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function expectedRows(seeded: SeededPost[], timeZone: string, granularity: string, now: Date) {
  const groups = new Map<string, SeededPost[]>();
  for (const p of seeded) {
    const key = `${bucketOf(timeZone, granularity, p.postedAt)}|${p.channelId}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  return new Map(
    [...groups].map(([key, ps]) => {
      const answered = ps.filter((p) => p.respondedAt);
      const within = answered.filter((p) => p.respondedAt! <= p.slaDueAt && p.slaState !== 'breached').length;
      const open = ps.filter((p) => !p.respondedAt && p.slaState !== 'breached' && p.slaDueAt > now).length;
      const breached = ps.length - within - open;
      return [
        key,
        {
          inbound: ps.length,
          answered: answered.length,
          answeredWithinTarget: within,
          breached,
          open,
          pctWithinTarget: within + breached === 0 ? null : Math.round((within / (within + breached)) * 1000) / 10,
          p50BusinessMinutes: percentile(
            answered.map((p) => p.businessMinutes!),
            0.5,
          ),
          p90BusinessMinutes: percentile(
            answered.map((p) => p.businessMinutes!),
            0.9,
          ),
          p50WallMinutes: percentile(
            answered.map((p) => p.wallMinutes!),
            0.5,
          ),
          p90WallMinutes: percentile(
            answered.map((p) => p.wallMinutes!),
            0.9,
          ),
        },
      ];
    }),
  );
}

type ApiRow = Record<string, number | string | null>;
const peopleParams = () => ({
  from: new Date(HISTORY.from),
  to: new Date(HISTORY.to),
  fromDate: HISTORY.from.slice(0, 10),
  toDate: HISTORY.to.slice(0, 10),
  timeZone: 'Europe/Berlin',
  granularity: 'day' as const,
});
const sla = (query: Record<string, string>, token = manager.token) => request(app.url).get('/api/v1/reports/sla').query(query).auth(token, { type: 'bearer' });

function compare(apiRows: ApiRow[], expected: ReturnType<typeof expectedRows>) {
  const mine = apiRows.filter((r) => r.channelId === channelA || r.channelId === channelB);
  expect(mine.map((r) => `${r.bucket}|${r.channelId}`).sort()).toEqual([...expected.keys()].sort());
  for (const r of mine) {
    const e = expected.get(`${r.bucket}|${r.channelId}`)!;
    expect({
      key: `${r.bucket}|${r.channelId}`,
      inbound: r.inbound,
      answered: r.answered,
      answeredWithinTarget: r.answeredWithinTarget,
      breached: r.breached,
      open: r.open,
      pct: r.pctWithinTarget,
    }).toEqual({
      key: `${r.bucket}|${r.channelId}`,
      inbound: e.inbound,
      answered: e.answered,
      answeredWithinTarget: e.answeredWithinTarget,
      breached: e.breached,
      open: e.open,
      pct: e.pctWithinTarget,
    });
    for (const f of ['p50BusinessMinutes', 'p90BusinessMinutes', 'p50WallMinutes', 'p90WallMinutes'] as const) {
      if (e[f] === null) expect(r[f]).toBeNull();
      else expect(r[f] as number).toBeCloseTo(e[f], 1);
    }
  }
  return mine;
}

// ---- the tests ----------------------------------------------------------------------------------

const HISTORY = { from: '2026-04-26T00:00:00Z', to: '2026-10-28T00:00:00Z' };
const historic = () => posts.filter((p) => p.postedAt < new Date(HISTORY.to));
/** Hour buckets are asked for at most 31 days: the October weeks around the end of summer time. */
const OCTOBER = { from: '2026-10-01T00:00:00Z', to: '2026-10-28T00:00:00Z' };
const windowOf = (granularity: string) => (granularity === 'hour' ? OCTOBER : HISTORY);
const postsIn = (w: { from: string; to: string }) => posts.filter((p) => p.postedAt >= new Date(w.from) && p.postedAt < new Date(w.to));

describe('GET /api/v1/reports/sla', () => {
  it.each([
    ['Europe/Berlin', 'day'],
    ['Europe/Berlin', 'hour'],
    ['Europe/Berlin', 'week'],
    ['UTC', 'day'],
    ['America/New_York', 'day'],
    ['Asia/Kolkata', 'hour'],
  ])('when asked for %s by %s, then every bucket and channel matches the figures recomputed from the seeded posts', async (timeZone, granularity) => {
    const res = await sla({ ...windowOf(granularity), timeZone, granularity });
    expect(res.status).toBe(200);
    const mine = compare(res.body.rows, expectedRows(postsIn(windowOf(granularity)), timeZone, granularity, new Date()));
    expect(mine.length).toBeGreaterThan(3);
  });

  it('when a post is 00:30 local on 2026-10-25 in Berlin, then it counts on the 25th in Berlin but on the 24th in UTC', async () => {
    const berlin = await sla({ from: '2026-10-24', to: '2026-10-25', timeZone: 'Europe/Berlin', channelId: channelA });
    const utc = await sla({ from: '2026-10-24', to: '2026-10-25', timeZone: 'UTC', channelId: channelA });
    const inbound = (body: { rows: ApiRow[] }, day: string) => body.rows.find((r) => r.bucket === day)?.inbound;
    expect([inbound(berlin.body, '2026-10-24'), inbound(berlin.body, '2026-10-25')]).toEqual([1, 4]);
    expect([inbound(utc.body, '2026-10-24'), inbound(utc.body, '2026-10-25')]).toEqual([2, 4]);
  });

  it('when the DST change day 2026-10-25 is asked by the hour in Berlin, then both 02:00 hours fall into one local 02:00 bucket', async () => {
    const res = await sla({ from: '2026-10-25', to: '2026-10-25', timeZone: 'Europe/Berlin', granularity: 'hour', channelId: channelA });
    expect(res.body.rows.find((r: ApiRow) => r.bucket === '2026-10-25T02:00')).toMatchObject({ inbound: 2, answeredWithinTarget: 1, breached: 1 });
    expect(new Date(res.body.from).toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(new Date(res.body.to).toISOString()).toBe('2026-10-25T23:00:00.000Z'); // a 25-hour local day
  });

  it('when a post arrived on Labour Day, then its business minutes skip the holiday and it is within target', async () => {
    const res = await sla({ from: '2026-05-01', to: '2026-05-01', timeZone: 'Europe/Berlin', channelId: channelA });
    expect(res.body.rows).toHaveLength(1);
    expect(res.body.rows[0]).toMatchObject({ bucket: '2026-05-01', inbound: 2, answeredWithinTarget: 1, breached: 1, p50BusinessMinutes: 60 });
    expect(res.body.rows[0].p50WallMinutes).toBeCloseTo(3 * 24 * 60, 1);
  });

  it('when a topic is given, then only posts of conversations with that topic count', async () => {
    const res = await sla({ ...HISTORY, timeZone: 'Europe/Berlin', topicId });
    compare(
      res.body.rows,
      expectedRows(
        historic().filter((p) => p.topicId === topicId),
        'Europe/Berlin',
        'day',
        new Date(),
      ),
    );
    expect(res.body.totals.inbound).toBe(historic().filter((p) => p.topicId === topicId).length);
  });

  it('when a post is unanswered and not yet due, then it counts as open and not breached; overdue without a fired timer counts as breached', async () => {
    const now = new Date();
    const today = await sla({
      from: new Date(now.getTime() - 3_600_000).toISOString(),
      to: new Date(now.getTime() + 60_000).toISOString(),
      channelId: channelA,
    });
    expect(today.body.totals).toMatchObject({ inbound: 1, open: 1, breached: 0, answered: 0, pctWithinTarget: null });
    const overdue = await sla({ from: '2026-10-24T22:00:00Z', to: '2026-10-24T22:10:00Z', channelId: channelB });
    expect(overdue.body.totals).toMatchObject({ inbound: 1, open: 0, breached: 1, pctWithinTarget: 0 });
  });

  it.each([
    [{ timeZone: 'Mars/Olympus' }, 'timeZone'],
    [{ from: '2026-10-10', to: '2026-10-01' }, 'from'],
    [{ from: '2025-01-01', to: '2026-10-01' }, 'to'],
    [{ granularity: 'month' }, 'granularity'],
    [{ from: '2026-08-01', to: '2026-10-01', granularity: 'hour' }, 'granularity'],
    [{ channelId: 'not-a-uuid' }, 'channelId'],
    [{ from: 'yesterday' }, 'from'],
  ])('when the query is %j, then 400 names %s', async (query, field) => {
    const res = await sla(query as Record<string, string>);
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.fields)).toContain(field);
  });

  it('when an agent, nobody, an auditor or an admin asks, then 403, 401, 200, 200', async () => {
    const auditor = await makeUser(app.services.db, { role: 'auditor' });
    const admin = await makeUser(app.services.db, { role: 'admin' });
    expect((await sla({}, agent1.token)).status).toBe(403);
    expect((await request(app.url).get('/api/v1/reports/sla')).status).toBe(401);
    expect((await sla({}, auditor.token)).status).toBe(200);
    expect((await sla({}, admin.token)).status).toBe(200);
  });
});

describe('CSV exports', () => {
  const auditOf = (userId: string) =>
    app.services.db.selectFrom('auditEvents').selectAll().where('actorId', '=', userId).where('action', '=', 'report.exported').execute();

  it('when a manager exports the SLA report, then the CSV has the API rows and the export is audited with its filters', async () => {
    const res = await request(app.url)
      .get('/api/v1/reports/sla.csv')
      .query({ ...HISTORY, channelId: channelA })
      .auth(manager.token, { type: 'bearer' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.text.startsWith('\uFEFF')).toBe(true);
    const lines = res.text.slice(1).trim().split('\r\n');
    expect(lines[0]).toBe(
      'bucket,bucketStart,channelId,channelName,inbound,answered,answeredWithinTarget,pctWithinTarget,breached,open,p50BusinessMinutes,p90BusinessMinutes,p50WallMinutes,p90WallMinutes',
    );
    const api = await sla({ ...HISTORY, channelId: channelA });
    expect(lines).toHaveLength(api.body.rows.length + 1);
    expect(lines[1]!.split(',').slice(0, 5)).toEqual([
      api.body.rows[0].bucket,
      api.body.rows[0].bucketStart,
      channelA,
      'Reports A',
      String(api.body.rows[0].inbound),
    ]);
    const events = await auditOf(manager.id);
    expect(events.at(-1)).toMatchObject({ subjectType: 'report', subjectId: 'sla', channelId: channelA });
    expect(events.at(-1)!.after).toMatchObject({ report: 'sla', channelId: channelA, rows: api.body.rows.length, timeZone: 'Europe/Berlin' });
  });

  it('when the people report is exported, then each agent has their replies, answers within target and breaches', async () => {
    const res = await request(app.url).get('/api/v1/reports/people.csv').query(HISTORY).auth(manager.token, { type: 'bearer' });
    expect(res.status).toBe(200);
    const [head, ...lines] = res.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    const cols = head!.split(',');
    const row = (userId: string) => Object.fromEntries(cols.map((c, i) => [c, lines.find((l) => l.startsWith(userId))!.split(',')[i]]));
    for (const agent of [agent1, agent2]) {
      const answered = historic().filter((p) => p.responderId === agent.id);
      const within = answered.filter((p) => p.slaState === 'met');
      expect(row(agent.id)).toMatchObject({
        repliesSent: String(answered.length),
        answered: String(answered.length),
        answeredWithinTarget: String(within.length),
        breachesResponsible: String(historic().filter((p) => p.responsibleId === agent.id).length),
        medianBusinessMinutes: String(
          Math.round(
            percentile(
              answered.map((p) => p.businessMinutes!),
              0.5,
            )! * 100,
          ) / 100,
        ),
      });
    }
  });

  it('when the people page is filtered by a team, then only its members are listed and the team row adds up their figures', async () => {
    const team = await insertTeam(app.services.db, `Team Nord ${Date.now()}`);
    await addTeamMember(app.services.db, team.id, agent1.id);
    await addTeamMember(app.services.db, team.id, agent2.id);
    const mine = historic().filter((p) => p.responderId === agent1.id || p.responderId === agent2.id);
    const people = await buildPeople(app.services.db, { ...peopleParams(), teamId: team.id }, new Date());
    expect(people.people.map((p) => p.userId).sort()).toEqual([agent1.id, agent2.id].sort());
    const row = people.teams.find((t) => t.teamId === team.id)!;
    expect(row).toMatchObject({
      members: 2,
      repliesSent: mine.length,
      answered: mine.length,
      answeredWithinTarget: mine.filter((p) => p.slaState === 'met').length,
      breachesResponsible: historic().filter((p) => p.responsibleId === agent1.id || p.responsibleId === agent2.id).length,
      medianBusinessMinutes:
        Math.round(
          percentile(
            mine.map((p) => p.businessMinutes!),
            0.5,
          )! * 100,
        ) / 100,
    });
    const m = await request.agent(app.url);
    const login = await m.get('/login');
    await m
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(login.text), email: manager.email, password: manager.password });
    const page = await m.get('/reports/people').query({ ...HISTORY, teamId: team.id });
    expect(page.status).toBe(200);
    expect(page.text).toContain('id="teams-table"');
    expect(page.text).toContain(`value="${team.id}" selected`);
  });

  it('when an unknown report or an agent asks for a CSV, then 400 and 403, and nothing is audited', async () => {
    const before = (await auditOf(agent1.id)).length;
    expect((await request(app.url).get('/api/v1/reports/secrets.csv').auth(manager.token, { type: 'bearer' })).status).toBe(400);
    expect((await request(app.url).get('/api/v1/reports/sla.csv').auth(agent1.token, { type: 'bearer' })).status).toBe(403);
    expect(await auditOf(agent1.id)).toHaveLength(before);
  });

  it.each(['response-times', 'volume', 'backlog'])('when the %s report is exported, then it answers CSV with a header', async (name) => {
    const res = await request(app.url).get(`/api/v1/reports/${name}.csv`).query(HISTORY).auth(manager.token, { type: 'bearer' });
    expect(res.status).toBe(200);
    expect(res.text.split('\r\n')[0]!.split(',').length).toBeGreaterThan(2);
  });
});

describe('console report pages', () => {
  async function signIn(user: { email: string; password: string }) {
    const agent = request.agent(app.url);
    const page = await agent.get('/login');
    await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), email: user.email, password: user.password });
    return agent;
  }

  it('when a manager opens each report page, then it renders; when an agent does, then 403', async () => {
    const m = await signIn(manager);
    for (const page of ['sla', 'response-times', 'volume', 'backlog', 'people']) {
      const res = await m.get(`/reports/${page}`).query({ ...HISTORY, timeZone: 'Europe/Berlin', compare: '1' });
      expect({ page, status: res.status }).toEqual({ page, status: 200 });
      expect(res.text).toContain('data-chart=');
    }
    const a = await signIn(agent1);
    expect((await a.get('/reports/sla')).status).toBe(403);
  });

  it('when a manager asks the SLA page by hour for half a year, then it is shown by day with a notice saying why', async () => {
    const m = await signIn(manager);
    const res = await m.get('/reports/sla').query({ ...HISTORY, timeZone: 'Europe/Berlin', granularity: 'hour' });
    expect(res.status).toBe(200);
    expect(res.text).toMatch(/(höchstens|at most) 31 (Tage|days)/);
    expect(res.text).toMatch(/<option value="day" selected>/);
    const month = await m.get('/reports/sla').query({ ...OCTOBER, timeZone: 'Europe/Berlin', granularity: 'hour' });
    expect(month.text).not.toMatch(/(höchstens|at most) 31 (Tage|days)/);
    expect(month.text).toMatch(/<option value="hour" selected>/);
  });

  it('when the drill-down of a bad day is opened, then it lists the breached posts first with their responsible user and reason', async () => {
    const m = await signIn(manager);
    const res = await m.get('/reports/sla/posts').query({ bucket: '2026-10-25', channelId: channelA, timeZone: 'Europe/Berlin', granularity: 'day' });
    expect(res.status).toBe(200);
    const rows = [...res.text.matchAll(/<tr class="outcome-(\w+)"[\s\S]*?<td class="responsible">([^<]*)<\/td>\s*<td class="reason">([^<]*)</g)].map((m) => [
      m[1],
      m[2]!.trim(),
      m[3]!.trim(),
    ]);
    expect(rows).toEqual([
      ['breached', 'Bodo Agent', 'no answer before the due time'],
      ['breached', 'Bodo Agent', 'answered after the due time'],
      ['withinTarget', '', ''],
      ['withinTarget', '', ''],
    ]);
  });
});
