/**
 * Report SQL: read-only aggregates over inbound/outbound posts and conversations. Each query reads one
 * posted_at range through the partial covering indexes of 005_reports.sql (plain SELECTs: they take no
 * lock that blocks ingest). The counting rules are the ones of server/domain/reports/counting.ts and
 * docs/reports.md; keep both in step.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db, DbOrTx, Tx } from '../client';
import type { SlaAggregateRow } from '../../domain/reports/counting';
import type { Granularity } from '../../domain/reports/range';

export type ReportFilter = {
  from: Date;
  to: Date;
  timeZone: string;
  channelId?: string | undefined;
  topicId?: string | undefined;
  /** the moment "not yet due" is judged against */
  now: Date;
};

/**
 * Runs report queries in a read-only transaction with room to sort in memory (percentiles sort every
 * group's values) and without JIT compilation (it costs more than it saves for these plans).
 * Read-only transactions take only ACCESS SHARE locks: ingest is never blocked.
 */
export function readReport<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().setAccessMode('read only').execute(async (tx) => {
    await sql`SET LOCAL work_mem = '64MB'`.execute(tx);
    await sql`SET LOCAL jit = off`.execute(tx);
    return fn(tx);
  });
}

/** The posts of a report: inbound, posted in [from, to), optionally one channel / topic. */
function inboundWhere(f: ReportFilter, alias = 'm'): RawBuilder<unknown> {
  const a = sql.ref(alias);
  return sql`${a}.direction = 'inbound' AND ${a}.posted_at >= ${f.from} AND ${a}.posted_at < ${f.to}
    ${f.channelId ? sql`AND ${a}.channel_id = ${f.channelId}` : sql``}
    ${f.topicId ? sql`AND ${a}.topic_id = ${f.topicId}` : sql``}`;
}

// The three outcomes of a timed post (counting.ts outcomeOf), as SQL over alias m.
const WITHIN = sql`(m.responded_at IS NOT NULL AND m.responded_at <= m.sla_due_at AND m.sla_state IS DISTINCT FROM 'breached')`;
const breachedAt = (now: Date) => sql`(CASE WHEN m.responded_at IS NOT NULL
    THEN m.responded_at > m.sla_due_at OR m.sla_state = 'breached'
    ELSE m.sla_state = 'breached' OR m.sla_due_at <= ${now} END)`;
const openAt = (now: Date) => sql`(m.responded_at IS NULL AND m.sla_state IS DISTINCT FROM 'breached' AND m.sla_due_at > ${now})`;

/** Per local bucket and channel: counts by outcome and exact percentiles over answered posts. */
export async function slaAggregates(db: DbOrTx, f: ReportFilter & { granularity: Granularity }): Promise<SlaAggregateRow[]> {
  const { rows } = await sql<SlaAggregateRow>`
    WITH posts AS (
      SELECT date_trunc(${f.granularity}, m.posted_at AT TIME ZONE ${f.timeZone}) AS bucket, m.channel_id,
             m.responded_at IS NOT NULL AS answered, ${WITHIN} AS within, ${breachedAt(f.now)} AS breached,
             ${openAt(f.now)} AS open, m.business_minutes_to_respond, m.wall_minutes_to_respond
        FROM messages m
       WHERE ${inboundWhere(f)} AND m.sla_due_at IS NOT NULL)
    SELECT to_char(bucket, ${f.granularity === 'hour' ? 'YYYY-MM-DD"T"HH24:00' : 'YYYY-MM-DD'}) AS bucket,
           bucket AT TIME ZONE ${f.timeZone} AS bucket_start, channel_id,
           count(*) AS inbound,
           count(*) FILTER (WHERE answered) AS answered,
           count(*) FILTER (WHERE within) AS answered_within_target,
           count(*) FILTER (WHERE breached) AS breached,
           count(*) FILTER (WHERE open) AS open,
           percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY business_minutes_to_respond) FILTER (WHERE answered) AS business_percentiles,
           percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY wall_minutes_to_respond) FILTER (WHERE answered) AS wall_percentiles
      FROM posts
     GROUP BY posts.bucket, channel_id
     ORDER BY posts.bucket, channel_id`.execute(db);
  return rows;
}

export type DrilldownPost = {
  id: string; conversationId: string; caseNumber: string; channelId: string; channelName: string;
  authorName: string; text: string; postedAt: Date; slaDueAt: Date; respondedAt: Date | null; slaState: string | null;
  outcome: 'withinTarget' | 'breached' | 'open';
  businessMinutesToRespond: number | null; wallMinutesToRespond: number | null;
  breachResponsibleUserId: string | null; breachResponsibleName: string | null; breachReason: string | null;
  assigneeName: string | null;
};

/** The posts behind one bucket (local bucket label of the given granularity), breached ones first. */
export async function slaDrilldown(db: DbOrTx, f: ReportFilter & { granularity: Granularity; bucket: string; limit: number }): Promise<DrilldownPost[]> {
  const bucketTs = f.bucket.length === 10 ? `${f.bucket}T00:00:00` : `${f.bucket}:00`;
  const { rows } = await sql<DrilldownPost>`
    SELECT m.id, m.conversation_id, c.case_number::text AS case_number, m.channel_id, ch.name AS channel_name,
           m.author_name, left(m.text, 280) AS text, m.posted_at, m.sla_due_at, m.responded_at, m.sla_state,
           CASE WHEN ${WITHIN} THEN 'withinTarget' WHEN ${breachedAt(f.now)} THEN 'breached' ELSE 'open' END AS outcome,
           m.business_minutes_to_respond, m.wall_minutes_to_respond,
           m.breach_responsible_user_id, u.name AS breach_responsible_name, m.breach_reason, a.name AS assignee_name
      FROM messages m
      JOIN conversations c ON c.id = m.conversation_id
      JOIN channels ch ON ch.id = m.channel_id
      LEFT JOIN users u ON u.id = m.breach_responsible_user_id
      LEFT JOIN users a ON a.id = c.assignee_id
     WHERE ${inboundWhere(f)} AND m.sla_due_at IS NOT NULL
       AND date_trunc(${f.granularity}, m.posted_at AT TIME ZONE ${f.timeZone}) = ${bucketTs}::timestamp
     ORDER BY (CASE WHEN ${breachedAt(f.now)} THEN 0 WHEN ${openAt(f.now)} THEN 1 ELSE 2 END), m.posted_at, m.id
     LIMIT ${f.limit}`.execute(db);
  return rows;
}

export type ResponseTimeGroup = {
  key: string | null; answered: string;
  business: (number | null)[] | null; wall: (number | null)[] | null;
};

/** p50/p90/p95 in business and wall minutes over answered timed posts, per channel or per topic. */
export async function responseTimePercentiles(db: DbOrTx, f: ReportFilter, by: 'channel' | 'topic'): Promise<ResponseTimeGroup[]> {
  const key = by === 'channel' ? sql`m.channel_id` : sql`m.topic_id`;
  const { rows } = await sql<ResponseTimeGroup>`
    SELECT ${key}::text AS key, count(*) AS answered,
           percentile_cont(ARRAY[0.5, 0.9, 0.95]) WITHIN GROUP (ORDER BY m.business_minutes_to_respond) AS business,
           percentile_cont(ARRAY[0.5, 0.9, 0.95]) WITHIN GROUP (ORDER BY m.wall_minutes_to_respond) AS wall
      FROM messages m
     WHERE ${inboundWhere(f)} AND m.sla_due_at IS NOT NULL AND m.responded_at IS NOT NULL
     GROUP BY 1 ORDER BY 1`.execute(db);
  return rows;
}

/** Answered timed posts per histogram bin (edges in minutes; bin i = [edges[i], edges[i+1]), last open-ended). */
export async function responseTimeHistogram(db: DbOrTx, f: ReportFilter, edges: readonly number[]) {
  const arr = sql`${`{${edges.join(',')}}`}::double precision[]`;
  const { rows } = await sql<{ bin: number; business: string; wall: string }>`
    WITH b AS (
      SELECT width_bucket(m.business_minutes_to_respond, ${arr}) AS bb, width_bucket(m.wall_minutes_to_respond, ${arr}) AS wb
        FROM messages m
       WHERE ${inboundWhere(f)} AND m.sla_due_at IS NOT NULL AND m.responded_at IS NOT NULL)
    SELECT g.bin, (SELECT count(*) FROM b WHERE bb = g.bin) AS business, (SELECT count(*) FROM b WHERE wb = g.bin) AS wall
      FROM generate_series(1, ${edges.length}) AS g(bin) ORDER BY g.bin`.execute(db);
  return rows.map((r) => ({ bin: Number(r.bin) - 1, business: Number(r.business), wall: Number(r.wall) }));
}

/** All inbound posts (timed or not) by local ISO weekday (1 = Monday) and hour. */
export async function volumeHeatmap(db: DbOrTx, f: ReportFilter) {
  const { rows } = await sql<{ dow: number; hour: number; n: string }>`
    SELECT extract(isodow FROM m.posted_at AT TIME ZONE ${f.timeZone})::int AS dow,
           extract(hour FROM m.posted_at AT TIME ZONE ${f.timeZone})::int AS hour, count(*) AS n
      FROM messages m WHERE ${inboundWhere(f)} GROUP BY 1, 2`.execute(db);
  return rows.map((r) => ({ dow: Number(r.dow), hour: Number(r.hour), n: Number(r.n) }));
}

/** All inbound posts per local bucket and channel. */
export async function volumeByChannel(db: DbOrTx, f: ReportFilter & { granularity: Granularity }) {
  const { rows } = await sql<{ bucket: string; channelId: string; n: string }>`
    WITH p AS (SELECT date_trunc(${f.granularity}, m.posted_at AT TIME ZONE ${f.timeZone}) AS bucket, m.channel_id
                 FROM messages m WHERE ${inboundWhere(f)})
    SELECT to_char(bucket, ${f.granularity === 'hour' ? 'YYYY-MM-DD"T"HH24:00' : 'YYYY-MM-DD'}) AS bucket, channel_id, count(*) AS n
      FROM p GROUP BY p.bucket, channel_id ORDER BY p.bucket, channel_id`.execute(db);
  return rows.map((r) => ({ bucket: r.bucket, channelId: r.channelId, n: Number(r.n) }));
}

/** Conversations per status right now (optionally one channel / topic). */
export async function conversationsByStatus(db: Db, f: { channelId?: string | undefined; topicId?: string | undefined }) {
  let q = db.selectFrom('conversations').select(['status', (eb) => eb.fn.countAll<string>().as('n')]);
  if (f.channelId) q = q.where('channelId', '=', f.channelId);
  if (f.topicId) q = q.where('topicId', '=', f.topicId);
  const rows = await q.groupBy('status').execute();
  return rows.map((r) => ({ status: r.status, n: Number(r.n) }));
}

/**
 * Open backlog (status new, assigned or saved) by age: now minus the oldest inbound post still awaiting
 * an answer, or minus the last message when none is timed. Edges in hours.
 */
export async function backlogAges(db: Db, f: { channelId?: string | undefined; topicId?: string | undefined; now: Date }, edgesHours: readonly number[]) {
  const arr = sql`${`{${edgesHours.join(',')}}`}::double precision[]`;
  const { rows } = await sql<{ bin: number; status: string; n: string }>`
    WITH open AS (
      SELECT c.status, extract(epoch FROM (${f.now}::timestamptz - coalesce(w.oldest, c.last_message_at))) / 3600.0 AS age_hours
        FROM conversations c
        LEFT JOIN LATERAL (SELECT min(m.posted_at) AS oldest FROM messages m
                            WHERE m.conversation_id = c.id AND m.direction = 'inbound' AND m.responded_at IS NULL) w ON true
       WHERE c.status IN ('new', 'assigned', 'saved')
         ${f.channelId ? sql`AND c.channel_id = ${f.channelId}` : sql``}
         ${f.topicId ? sql`AND c.topic_id = ${f.topicId}` : sql``})
    SELECT greatest(width_bucket(age_hours, ${arr}), 1) AS bin, status, count(*) AS n FROM open GROUP BY 1, 2 ORDER BY 1, 2`.execute(db);
  return rows.map((r) => ({ bin: Number(r.bin) - 1, status: r.status, n: Number(r.n) }));
}

export type PeopleRow = {
  userId: string; name: string; role: string;
  repliesSent: number; answeredWithinTarget: number; answered: number; medianBusinessMinutes: number | null;
  medianWallMinutes: number | null; breachesResponsible: number;
};

/**
 * Per agent in the range: replies sent (outbound posts by them, posted in range); inbound posts of the
 * range their reply answered, and how many of those within target; median response time of those;
 * breaches of posts of the range they were recorded responsible for.
 */
export async function peopleReport(db: DbOrTx, f: ReportFilter): Promise<PeopleRow[]> {
  const { rows } = await sql<Record<string, string | null>>`
    WITH replies AS (
      SELECT o.author_user_id AS user_id, count(*) AS n FROM messages o
       WHERE o.direction = 'outbound' AND o.posted_at >= ${f.from} AND o.posted_at < ${f.to} AND o.author_user_id IS NOT NULL
         ${f.channelId ? sql`AND o.channel_id = ${f.channelId}` : sql``}
       GROUP BY 1),
    answers AS (
      SELECT r.author_user_id AS user_id, count(*) AS answered, count(*) FILTER (WHERE ${WITHIN}) AS within,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY m.business_minutes_to_respond) AS median_business,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY m.wall_minutes_to_respond) AS median_wall
        FROM messages m JOIN messages r ON r.id = m.response_message_id
       WHERE ${inboundWhere(f)} AND m.sla_due_at IS NOT NULL AND m.responded_at IS NOT NULL AND r.author_user_id IS NOT NULL
       GROUP BY 1),
    breaches AS (
      SELECT m.breach_responsible_user_id AS user_id, count(*) AS n FROM messages m
       WHERE ${inboundWhere(f)} AND m.sla_due_at IS NOT NULL AND m.breach_responsible_user_id IS NOT NULL AND ${breachedAt(f.now)}
       GROUP BY 1)
    SELECT u.id AS user_id, u.name, u.role, coalesce(rp.n, 0) AS replies_sent, coalesce(a.answered, 0) AS answered,
           coalesce(a.within, 0) AS answered_within_target, a.median_business, a.median_wall, coalesce(b.n, 0) AS breaches_responsible
      FROM users u
      LEFT JOIN replies rp ON rp.user_id = u.id
      LEFT JOIN answers a ON a.user_id = u.id
      LEFT JOIN breaches b ON b.user_id = u.id
     WHERE rp.n IS NOT NULL OR a.answered IS NOT NULL OR b.n IS NOT NULL OR u.role IN ('agent', 'manager')
     ORDER BY u.name`.execute(db);
  return rows.map((r) => ({
    userId: r.userId!, name: r.name!, role: r.role!, repliesSent: Number(r.repliesSent), answered: Number(r.answered),
    answeredWithinTarget: Number(r.answeredWithinTarget),
    medianBusinessMinutes: r.medianBusiness === null ? null : Number(r.medianBusiness),
    medianWallMinutes: r.medianWall === null ? null : Number(r.medianWall),
    breachesResponsible: Number(r.breachesResponsible),
  }));
}

export function listReportChannels(db: Db) {
  return db.selectFrom('channels').select(['id', 'name', 'kind']).orderBy('name').execute();
}

export function listReportTopics(db: Db) {
  return db.selectFrom('topics').select(['id', 'name', 'channelId']).orderBy('name').execute();
}
