/**
 * The report rollups (009_report_rollup.sql) against real PostgreSQL: what the triggers and the folder
 * keep incrementally must equal a rebuild from the messages, and every way of reading a range (day
 * rollup, hour rollup, deltas not yet folded, live) must give the same figures.
 */
import { sql } from 'kysely';
import request from 'supertest';
import { agentFigures, foldReportDeltas, postFigures, rebuildReportRollups, reportKeys, type Figures } from '../../server/db/repositories/reportRollup.repo';
import { RESPONSE_BIN_EDGES } from '../../server/domain/reports/histogram';
import { binOf } from '../support/bins';
import { agentPlan, postPlan, ROLLUP_DAY_ZONE, type RollupPlan } from '../../server/domain/reports/rollupPlan';
import { zonedToInstant } from '../../server/domain/reports/range';
import { inboundPost, makeApiChannel, makeUser } from '../factories/factories';
import { makeTopic, reportScenario, seedTimedPosts } from '../support/reportsSeed';
import { startTestApp, type TestApp } from '../support/testApp';

let app: TestApp;
let agent: Awaited<ReturnType<typeof makeUser>>;
let manager: Awaited<ReturnType<typeof makeUser>>;
const db = () => app.services.db;

beforeAll(async () => {
  app = await startTestApp({ workers: false });
  agent = await makeUser(db(), { role: 'agent', name: 'Rita Rollup' });
  manager = await makeUser(db(), { role: 'manager' });
  const a = (await makeApiChannel(db(), app.services.secretBox, { name: 'Rollup A' })).channelId;
  const b = (await makeApiChannel(db(), app.services.secretBox, { name: 'Rollup B' })).channelId;
  const topic = (await makeTopic(db(), a, 'Retoure')).id;
  await seedTimedPosts(db(), reportScenario(a, b, topic, agent.id, manager.id));
});
afterAll(async () => {
  await app.stop();
});

/** Every rollup row with anything in it, as comparable text. */
async function rollupSnapshot() {
  const { rows } = await sql<{ t: string; r: string }>`
    SELECT 'hours' AS t, to_jsonb(h)::text AS r FROM report_post_hours h WHERE inbound <> 0 OR within <> 0 OR late <> 0 OR breached <> 0
    UNION ALL SELECT 'days', to_jsonb(d)::text FROM report_post_days d WHERE inbound <> 0 OR within <> 0 OR late <> 0 OR breached <> 0
    UNION ALL SELECT 'agents', to_jsonb(a)::text FROM report_agent_days a WHERE within <> 0 OR late <> 0 OR breached <> 0 OR replies <> 0
    ORDER BY 1, 2`.execute(db());
  // sums of floating-point minutes may differ in the last bits by the order of addition
  return rows.map((r) => `${r.t} ${r.r.replace(/(\d+\.\d{6})\d*/g, '$1')}`);
}

const pending = async () => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM report_deltas`.execute(db())).rows[0]!.n);

/** Figures without the float noise of summed minutes, keyed for comparison. */
const comparable = (fs: Figures[]) =>
  fs.map((f) => ({
    ...f,
    business: { counts: f.business.counts, sums: f.business.sums.map((s) => Math.round(s * 1e6) / 1e6) },
    wall: { counts: f.wall.counts, sums: f.wall.sums.map((s) => Math.round(s * 1e6) / 1e6) },
  }));

const LIVE = (from: Date, to: Date): RollupPlan => ({ rollup: null, live: [{ from, to }] });

describe('report rollups', () => {
  it('when report_bin() bins a value, then it picks the same bin as the TypeScript edges', async () => {
    const values = [...RESPONSE_BIN_EDGES.flatMap((e) => [e, e + 0.05, Math.max(0, e - 0.05)]), 0.0001, 1e7];
    const { rows } = await sql<{ v: number; bin: number }>`SELECT v, report_bin(v) AS bin FROM unnest(${values}::float8[]) v`.execute(db());
    expect(rows.map((r) => [r.v, r.bin])).toEqual(values.map((v) => [v, binOf(v)]));
  });

  it('when posts are stored without a topic in a conversation that has one, then they carry its topic; other posts stay without', async () => {
    const channelId = (await makeApiChannel(db(), app.services.secretBox, { name: 'Rollup topics' })).channelId;
    const topicId = (await makeTopic(db(), channelId, 'Garantie')).id;
    const contact = await db().insertInto('contacts').values({ name: 'Tina' }).returning('id').executeTakeFirstOrThrow();
    const withTopic = await db()
      .insertInto('conversations')
      .values({ channelId, contactId: contact.id, lastMessageAt: new Date(), topicId })
      .returning('id')
      .executeTakeFirstOrThrow();
    const without = await db()
      .insertInto('conversations')
      .values({ channelId, contactId: contact.id, lastMessageAt: new Date() })
      .returning('id')
      .executeTakeFirstOrThrow();
    const post = (conversationId: string, direction: 'inbound' | 'outbound', n: number) => ({
      conversationId,
      channelId,
      direction,
      externalId: direction === 'inbound' ? `topic-${n}` : null,
      authorName: 'Tina',
      text: `Nr. ${n}`,
      postedAt: new Date(),
    });
    const rows = await db()
      .insertInto('messages')
      .values([post(withTopic.id, 'inbound', 1), post(withTopic.id, 'inbound', 2), post(without.id, 'inbound', 3), post(withTopic.id, 'outbound', 4)])
      .returning(['id', 'text'])
      .execute();
    const stored = await db()
      .selectFrom('messages')
      .select(['text', 'topicId'])
      .where(
        'id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('text')
      .execute();
    expect(stored).toEqual([
      { text: 'Nr. 1', topicId },
      { text: 'Nr. 2', topicId },
      { text: 'Nr. 3', topicId: null },
      { text: 'Nr. 4', topicId: null },
    ]);
    await foldReportDeltas(db());
    const {
      rows: [counted],
    } = await sql<{ n: string }>`SELECT coalesce(sum(inbound), 0) AS n FROM report_post_hours WHERE topic_id = ${topicId}`.execute(db());
    expect(Number(counted!.n)).toBe(2);
  });

  it('when posts are ingested, answered and re-timed through the product, then the deltas folded in equal a rebuild from the messages', async () => {
    const channel = await makeApiChannel(db(), app.services.secretBox, { name: 'Rollup live' });
    const policy = await request(app.url)
      .post('/api/v1/sla-policies')
      .auth(manager.token, { type: 'bearer' })
      .send({ name: 'Rollup 30 min', calendarId: null, firstResponseMinutes: 30, nextResponseMinutes: 30 })
      .expect(201);
    await request(app.url)
      .patch(`/api/v1/channels/${channel.channelId}`)
      .auth(manager.token, { type: 'bearer' })
      .send({ slaPolicyId: policy.body.id })
      .expect(200);
    const conversations: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await request(app.url)
        .post(`/api/v1/channels/${channel.channelId}/messages`)
        .auth(channel.ingestToken, { type: 'bearer' })
        .send(inboundPost({ postedAt: new Date(Date.now() - (i * 17 + 5) * 60_000).toISOString() }))
        .expect(201);
      conversations.push(res.body.conversationId);
    }
    for (const id of conversations.slice(0, 4)) {
      await request(app.url).post(`/api/v1/conversations/${id}/replies`).auth(agent.token, { type: 'bearer' }).send({ text: 'Erledigt' }).expect(202);
    }
    // a message that goes away takes its contribution with it
    await db().deleteFrom('messages').where('conversationId', '=', conversations[5]!).execute();
    expect(await pending()).toBeGreaterThan(0);

    await foldReportDeltas(db());
    expect(await pending()).toBe(0);
    const incremental = await rollupSnapshot();
    await rebuildReportRollups(db());
    expect(await rollupSnapshot()).toEqual(incremental);
    expect(incremental.length).toBeGreaterThan(10);
  });

  it('when a range is read from the day rollup, the hour rollup, unfolded deltas or live, then the figures are the same', async () => {
    const from = zonedToInstant(ROLLUP_DAY_ZONE, '2026-04-27');
    const to = zonedToInstant(ROLLUP_DAY_ZONE, '2026-11-02');
    const now = new Date();
    const keys = reportKeys.bucketAndChannel('day', ROLLUP_DAY_ZONE);
    const days = postPlan({ from, to }, ROLLUP_DAY_ZONE, { hourly: false });
    const hours = postPlan({ from, to }, ROLLUP_DAY_ZONE, { hourly: true });
    expect([days.rollup?.table, hours.rollup?.table]).toEqual(['days', 'hours']);

    await foldReportDeltas(db());
    const live = comparable(await postFigures(db(), { from, to }, LIVE(from, to), { now }, keys));
    expect(live.length).toBeGreaterThan(3);
    expect(comparable(await postFigures(db(), { from, to }, days, { now }, keys))).toEqual(live);
    expect(comparable(await postFigures(db(), { from, to }, hours, { now }, keys))).toEqual(live);

    // the same after moving everything back into unfolded deltas (rollups empty, deltas hold it all)
    await sql`TRUNCATE report_post_hours, report_post_days, report_agent_days`.execute(db());
    await sql`INSERT INTO report_deltas (kind, slot, channel_id, topic_id, user_id, sign, inbound, within, late, breached, replies, bbin, wbin, bval, wval)
      SELECT c.kind, c.slot, c.channel_id, c.topic_id, c.user_id, 1, c.inbound, c.within, c.late, c.breached, c.replies, c.bbin, c.wbin, c.bval, c.wval
        FROM messages m CROSS JOIN LATERAL report_contributions(m) c`.execute(db());
    expect(comparable(await postFigures(db(), { from, to }, days, { now }, keys))).toEqual(live);
    expect(comparable(await postFigures(db(), { from, to }, hours, { now }, keys))).toEqual(live);
    await foldReportDeltas(db());
  });

  it('when a range starts and ends inside a day, then the people figures join the day rollup with the live edges', async () => {
    const from = new Date('2026-05-04T13:30:00Z');
    const to = new Date('2026-10-26T09:15:00Z');
    const plan = agentPlan({ from, to });
    expect(plan.live).toHaveLength(2);
    const f = { now: new Date() };
    const mixed = comparable(await agentFigures(db(), plan, f, reportKeys.user()));
    expect(mixed.length).toBeGreaterThan(0);
    expect(comparable(await agentFigures(db(), LIVE(from, to), f, reportKeys.user()))).toEqual(mixed);
  });

  it('when the people figures are asked for one topic, then the rollup counts the answers of that topic and every reply, like the live path', async () => {
    await foldReportDeltas(db());
    const from = zonedToInstant(ROLLUP_DAY_ZONE, '2026-04-27');
    const to = zonedToInstant(ROLLUP_DAY_ZONE, '2026-11-02');
    const topicId = (await db().selectFrom('topics').select('id').where('name', '=', 'Retoure').executeTakeFirstOrThrow()).id;
    const f = { now: new Date(), topicId };
    const plan = agentPlan({ from, to });
    expect(plan).toMatchObject({ rollup: { table: 'agentDays' }, live: [] });
    const rolled = comparable(await agentFigures(db(), plan, f, reportKeys.user()));
    expect(rolled.some((r) => r.within + r.late > 0)).toBe(true);
    expect(comparable(await agentFigures(db(), LIVE(from, to), f, reportKeys.user()))).toEqual(rolled);
  });

  it('when two folds run while posts keep arriving, then nothing is counted twice or lost', async () => {
    const channel = await makeApiChannel(db(), app.services.secretBox, { name: 'Rollup race' });
    const ingest = (i: number) =>
      request(app.url)
        .post(`/api/v1/channels/${channel.channelId}/messages`)
        .auth(channel.ingestToken, { type: 'bearer' })
        .send(inboundPost({ externalId: `race-${i}`, author: { externalId: `race-author-${i}`, name: 'Race' } }))
        .expect(201);
    await Promise.all([...Array.from({ length: 20 }, (_, i) => ingest(i)), foldReportDeltas(db()), foldReportDeltas(db()), foldReportDeltas(db())]);
    await foldReportDeltas(db());
    const incremental = await rollupSnapshot();
    await rebuildReportRollups(db());
    expect(await rollupSnapshot()).toEqual(incremental);
  });
});
