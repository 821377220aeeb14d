/**
 * Monitoring in the console, through the real pages: who may open them, the listening query form with the
 * parser's reason and the marked spot in German, create/edit/deactivate audited, backfill with its result,
 * the dashboard's buckets and their drill-down to exactly the posts behind them, and the CSV export.
 */
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent';
import { localDate } from '../../server/domain/time/zonedTime';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { csrfFrom } from '../support/csrf';
import { startTestApp, type TestApp } from '../support/testApp';

let app: TestApp;
let channel: Awaited<ReturnType<typeof makeApiChannel>>;
beforeAll(async () => {
  app = await startTestApp();
  channel = await makeApiChannel(app.services.db, app.services.secretBox, { name: 'Webshop' });
});
afterAll(() => app.stop());

type Console = { agent: TestAgent; csrf: string; user: Awaited<ReturnType<typeof makeUser>> };

async function signIn(role: 'agent' | 'manager' | 'auditor', locale: 'de' | 'en' = 'de'): Promise<Console> {
  const user = await makeUser(app.services.db, { role, locale });
  const agent = request.agent(app.url);
  const login = await agent.get('/login');
  await agent
    .post('/login')
    .type('form')
    .send({ _csrf: csrfFrom(login.text), email: user.email, password: user.password })
    .expect(302);
  return { user, agent, csrf: csrfFrom((await agent.get('/inbox')).text) };
}

async function ingest(text: string, postedAt: Date) {
  const res = await request(app.url)
    .post(`/api/v1/channels/${channel.channelId}/messages`)
    .auth(channel.ingestToken, { type: 'bearer' })
    .send(inboundPost({ text, postedAt: postedAt.toISOString() }));
  expect(res.status).toBe(201);
  return res.body as { conversationId: string; messageId: string; caseNumber: string };
}

const queryNamed = (name: string) =>
  app.services.db.selectFrom('listeningQueries').select(['id', 'query', 'actions', 'active']).where('name', '=', name).executeTakeFirst();
const auditOf = (subjectId: string) =>
  app.services.db.selectFrom('auditEvents').select(['action', 'before', 'after']).where('subjectId', '=', subjectId).orderBy('seq').execute();

describe('who may open the monitoring pages', () => {
  it('when each role opens the dashboard and the queries page, then managers see both (and the navigation entry), auditors only the dashboard, agents neither', async () => {
    const manager = await signIn('manager');
    const auditor = await signIn('auditor');
    const agent = await signIn('agent');
    const dashboard = await manager.agent.get('/monitoring');
    expect(dashboard.status).toBe(200);
    expect(dashboard.text).toContain('<a href="/monitoring" class="active">Monitoring</a>');
    expect(dashboard.text).toContain('href="/monitoring/queries"');
    expect((await manager.agent.get('/monitoring/queries')).status).toBe(200);

    const auditorDashboard = await auditor.agent.get('/monitoring');
    expect(auditorDashboard.status).toBe(200);
    expect(auditorDashboard.text).not.toContain('href="/monitoring/queries"');
    expect((await auditor.agent.get('/monitoring/queries')).status).toBe(403);
    expect((await auditor.agent.get('/monitoring/queries/check?query=paket')).status).toBe(403);

    expect((await agent.agent.get('/monitoring')).status).toBe(403);
    expect((await agent.agent.get('/monitoring/queries')).status).toBe(403);
    expect((await agent.agent.get('/inbox')).text).not.toContain('href="/monitoring"');
    // the permission is checked before the body: a forbidden role with an invalid form still gets 403
    expect((await agent.agent.post('/monitoring/queries').type('form').send({ _csrf: agent.csrf, name: '', query: '(' })).status).toBe(403);
  });
});

describe('the listening query form', () => {
  let manager: Console;
  beforeAll(async () => {
    manager = await signIn('manager', 'de');
  });

  it('when a German manager types a query with a stray operator, then the check names the reason in German and marks the spot; a good query is shown as understood', async () => {
    const bad = await manager.agent.get('/monitoring/queries/check').query({ query: 'paket AND OR lieferung' });
    expect(bad.status).toBe(200);
    expect(bad.text).toContain('An Stelle 11 wird ein Begriff erwartet, kein Operator.');
    expect(bad.text).toMatch(/<code class="query-spot" data-position="10">paket AND <mark class="" title="hier">O<\/mark>R lieferung<\/code>/);

    const open = await manager.agent.get('/monitoring/queries/check').query({ query: '(paket OR <b>' });
    expect(open.text).toContain('Unerwartetes Zeichen an Stelle 11.');
    expect(open.text).toContain('(paket OR <mark class="" title="hier">&lt;</mark>b&gt;');
    expect(open.text).not.toContain('<b>');

    const end = await manager.agent.get('/monitoring/queries/check').query({ query: 'paket AND' });
    expect(end.text).toContain('Die Abfrage endet an Stelle 10 zu früh: Es fehlt ein Begriff.');
    expect(end.text).toContain('paket AND<mark class="query-spot-gap" title="hier"></mark>');

    const good = await manager.agent.get('/monitoring/queries/check').query({ query: '(#lieferung OR paket*) NOT lang:en' });
    expect(good.text).toContain('Verstanden als: <code>(#lieferung OR paket*) AND NOT lang:en</code>');
    expect((await manager.agent.get('/monitoring/queries/check').query({ query: '' })).text.trim()).not.toContain('query-');
  });

  it('when a query with an error is submitted, then 400 shows the form again with the reason in German, the text kept and the spot marked, and nothing is stored', async () => {
    const res = await manager.agent
      .post('/monitoring/queries')
      .type('form')
      .send({ _csrf: manager.csrf, name: 'Bahn', query: '(bahn OR zug', tag: 'bahn', topicId: '', priority: '' });
    expect(res.status).toBe(400);
    expect(res.text).toContain('<p class="alert" role="alert">Die Klammer an Stelle 1 wird nicht geschlossen.</p>');
    expect(res.text).toMatch(/<textarea name="query"[^>]*aria-invalid=true[^>]*>\(bahn OR zug<\/textarea>/);
    expect(res.text).toContain('<mark class="" title="hier">(</mark>bahn OR zug');
    expect(res.text).toContain('value="bahn"'); // the tag the manager typed is kept
    expect(await queryNamed('Bahn')).toBeUndefined();
  });

  it('when a manager creates, edits and deactivates a query, then each change is stored and audited with before and after, and the query shows as deactivated', async () => {
    const created = await manager.agent
      .post('/monitoring/queries')
      .type('form')
      .send({ _csrf: manager.csrf, name: 'Rückrufe', query: 'rückruf*', tag: 'Rückruf', topicId: '', priority: 'high' });
    expect(created.status).toBe(303);
    const row = (await queryNamed('Rückrufe'))!;
    expect(row).toMatchObject({ query: 'rückruf*', actions: { tag: 'rückruf', priority: 'high' }, active: true });
    expect(created.headers.location).toBe(`/monitoring/queries#query-${row.id}`);

    const edited = await manager.agent
      .post(`/monitoring/queries/${row.id}`)
      .type('form')
      .send({ _csrf: manager.csrf, name: 'Rückrufe', query: 'rückruf* OR "ruft zurück"', tag: '', topicId: '', priority: '' });
    expect(edited.status).toBe(303);
    expect(await queryNamed('Rückrufe')).toMatchObject({ query: 'rückruf* OR "ruft zurück"', actions: {} });

    const refused = await manager.agent
      .post(`/monitoring/queries/${row.id}`)
      .type('form')
      .send({ _csrf: manager.csrf, name: 'Rückrufe', query: 'rückruf NEAR/99 zurück', tag: '', topicId: '', priority: '' });
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('NEAR/ an Stelle 14 braucht einen Abstand von 1 bis 20 Wörtern.');
    expect((await queryNamed('Rückrufe'))!.query).toBe('rückruf* OR "ruft zurück"');

    const off = await manager.agent.post(`/monitoring/queries/${row.id}/active`).type('form').send({ _csrf: manager.csrf, active: 'false' });
    expect(off.status).toBe(303);
    expect((await queryNamed('Rückrufe'))!.active).toBe(false);
    // asking again changes nothing and writes nothing
    await manager.agent.post(`/monitoring/queries/${row.id}/active`).type('form').send({ _csrf: manager.csrf, active: 'false' }).expect(303);
    expect((await manager.agent.get('/monitoring/queries')).text).toContain('„Rückrufe“ wieder aktivieren');

    expect(await auditOf(row.id)).toEqual([
      { action: 'listening_query.created', before: null, after: { name: 'Rückrufe', query: 'rückruf*', actions: { tag: 'rückruf', priority: 'high' } } },
      {
        action: 'listening_query.updated',
        before: { name: 'Rückrufe', query: 'rückruf*', actions: { tag: 'rückruf', priority: 'high' } },
        after: { name: 'Rückrufe', query: 'rückruf* OR "ruft zurück"', actions: {} },
      },
      { action: 'listening_query.deactivated', before: null, after: { name: 'Rückrufe' } },
    ]);
  });
});

describe('backfill, dashboard, drill-down and CSV', () => {
  const DAY = 86_400_000;
  const now = Date.now();
  let manager: Console;
  let queryId: string;
  const matching: { conversationId: string; caseNumber: string }[] = [];
  let other: { conversationId: string; caseNumber: string };
  let bucket: string;

  beforeAll(async () => {
    manager = await signIn('manager', 'de');
    // Posts from two days ago, before the query exists: only a backfill can find them.
    const at = new Date(now - 2 * DAY);
    bucket = localDate('Europe/Berlin', at);
    matching.push(await ingest('Der Kühlschrank #kuehlschrank ist kaputt angekommen, eine Katastrophe', at));
    matching.push(await ingest('Kühlschrank geliefert, alles gut <img src=x onerror=alert(1)>', new Date(at.getTime() + 60_000)));
    other = await ingest('Wann kommt mein Sofa?', new Date(at.getTime() + 120_000));
    await ingest('Kühlschrank von vor zwanzig Tagen', new Date(now - 20 * DAY));
    await manager.agent
      .post('/monitoring/queries')
      .type('form')
      .send({ _csrf: manager.csrf, name: 'Kühlschränke <i>', query: 'kühlschrank*', tag: '', topicId: '', priority: '' })
      .expect(303);
    queryId = (await queryNamed('Kühlschränke <i>'))!.id;
  });

  it('when the manager backfills the last 7 days, then the page shows how many posts were read and matched, and only the posts of those days count', async () => {
    const res = await manager.agent.post(`/monitoring/queries/${queryId}/backfill`).type('form').send({ _csrf: manager.csrf, days: '7' });
    expect(res.status).toBe(200);
    const matches = await app.services.db.selectFrom('listeningMatches').select('messageId').where('queryId', '=', queryId).execute();
    expect(matches).toHaveLength(2);
    const scanned = Number(/Nachgeholt über 7 Tage: (\d+) Beiträge gelesen, 2 neue Treffer\./.exec(res.text)?.[1]);
    expect(scanned).toBeGreaterThanOrEqual(3);
    expect(res.text).toContain('Kühlschränke &lt;i&gt;');
    expect(res.text).not.toContain('Kühlschränke <i>');
    expect((await auditOf(queryId)).map((a) => a.action)).toEqual(['listening_query.created', 'listening_query.backfilled']);

    expect((await manager.agent.post(`/monitoring/queries/${queryId}/backfill`).type('form').send({ _csrf: manager.csrf, days: '400' })).status).toBe(400);
    const listed = await manager.agent.get('/monitoring/queries');
    expect(listed.text).toContain('Letzte 7 Tage: 2 Treffer, davon 1 negativ');
  });

  it('when the dashboard shows the query by day, then its bucket has the two posts and half negative, and the drill-down lists exactly those posts, escaped', async () => {
    const from = localDate('Europe/Berlin', new Date(now - 6 * DAY));
    const to = localDate('Europe/Berlin', new Date(now));
    const subject = `query:${queryId}`;
    const res = await manager.agent.get('/monitoring').query({ subject, from, to, granularity: 'day', timeZone: 'Europe/Berlin' });
    expect(res.status).toBe(200);
    const row = new RegExp(
      `<tr data-bucket="${bucket}">\\s*<th scope="row"><a href="([^"]+)">([^<]+)</a></th>\\s*<td class="n" data-col="posts">2</td>\\s*<td class="n" data-col="negative">1</td>\\s*<td class="n" data-col="negativeShare">50\\s%</td>`,
    ).exec(res.text);
    expect(row).not.toBeNull();
    const [, drillUrl, label] = row!;
    expect(label).toBe(`${bucket.slice(8, 10)}.${bucket.slice(5, 7)}.${bucket.slice(0, 4)}`); // the date in German
    expect(res.text).toContain('<span class="term">#kuehlschrank</span>');
    expect(res.text).toContain('data-chart-png="monitoring-chart"');
    expect(res.text).toContain('Kühlschränke &lt;i&gt;');

    const drill = await manager.agent.get(drillUrl!.replace(/&amp;/g, '&'));
    expect(drill.status).toBe(200);
    const cases = [...drill.text.matchAll(/<a href="\/conversations\/([0-9a-f-]{36})">#(\d+)<\/a>/g)].map((m) => m[1]);
    expect(cases.sort()).toEqual(matching.map((m) => m.conversationId).sort());
    expect(cases).not.toContain(other.conversationId);
    expect(drill.text).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(drill.text).not.toContain('<img src=x');

    // per channel, the same day has all three posts of that day
    const perChannel = await manager.agent.get('/monitoring').query({ subject: `channel:${channel.channelId}`, from, to, granularity: 'day' });
    expect(perChannel.text).toMatch(new RegExp(`<tr data-bucket="${bucket}">[\\s\\S]*?data-col="posts">3</td>`));
  });

  it('when the manager exports the dashboard as CSV, then it is the API format, and the export is audited', async () => {
    const from = localDate('Europe/Berlin', new Date(now - 6 * DAY));
    const to = localDate('Europe/Berlin', new Date(now));
    const res = await manager.agent
      .get('/monitoring/export.csv')
      .query({ subject: `query:${queryId}`, from, to, granularity: 'day', timeZone: 'Europe/Berlin' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toContain(`replyline-monitoring-${from}_${to}.csv`);
    const lines = res.text.trim().split('\r\n');
    expect(lines[0]).toBe('bucket,posts,negative,negative_share_percent');
    expect(lines).toContain(`${bucket},2,1,50`);
    expect(lines).toContain('total,2,1,50');
    const exported = await app.services.db
      .selectFrom('auditEvents')
      .select(['after'])
      .where('action', '=', 'report.exported')
      .where('actorId', '=', manager.user.id)
      .execute();
    expect(exported).toEqual([{ after: expect.objectContaining({ report: 'monitoring', queryId }) }]);
  });

  it('when the dashboard is asked for an unknown query or a malformed subject, then 404 and 400', async () => {
    expect((await manager.agent.get('/monitoring').query({ subject: 'query:00000000-0000-4000-8000-000000000000' })).status).toBe(404);
    expect((await manager.agent.get('/monitoring').query({ subject: 'query:1 OR 1=1' })).status).toBe(400);
    expect((await manager.agent.get('/monitoring/posts').query({ subject: '', bucket: 'yesterday' })).status).toBe(400);
  });
});
