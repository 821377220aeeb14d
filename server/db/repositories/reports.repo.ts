/**
 * Report SQL: read-only aggregates over inbound/outbound posts and conversations. Each query reads one
 * posted_at range through the partial covering indexes of 005_reports.sql (plain SELECTs: they take no
 * lock that blocks ingest). The counting rules are the ones of server/domain/reports/counting.ts and
 * docs/reports.md; keep both in step.
 */
import { sql, type RawBuilder } from 'kysely';
import { type Db, type DbOrTx, readWithOwnPlans, type Tx } from '../client';
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
 * Runs report queries in a read-only transaction with room to sort in memory (percentiles sort every group's
 * values) and without JIT compilation (it costs more than it saves for these plans), each statement planned for
 * its own period, also when prepared (server/db/preparedStatements.ts): a generic plan, made without the dates,
 * cannot tell a day from a quarter.
 */
export function readReport<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return readWithOwnPlans(db, async (tx) => {
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

export type DrilldownPost = {
  id: string;
  conversationId: string;
  caseNumber: string;
  channelId: string;
  channelName: string;
  authorName: string;
  text: string;
  postedAt: Date;
  slaDueAt: Date;
  respondedAt: Date | null;
  slaState: string | null;
  outcome: 'withinTarget' | 'breached' | 'open';
  businessMinutesToRespond: number | null;
  wallMinutesToRespond: number | null;
  breachResponsibleUserId: string | null;
  breachResponsibleName: string | null;
  breachReason: string | null;
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
    WITH waiting AS (
      SELECT m.conversation_id, min(m.posted_at) AS oldest FROM messages m
       WHERE m.direction = 'inbound' AND m.responded_at IS NULL GROUP BY 1),
    open AS (
      SELECT c.status, extract(epoch FROM (${f.now}::timestamptz - coalesce(w.oldest, c.last_message_at))) / 3600.0 AS age_hours
        FROM conversations c
        LEFT JOIN waiting w ON w.conversation_id = c.id
       WHERE c.status IN ('new', 'assigned', 'saved')
         ${f.channelId ? sql`AND c.channel_id = ${f.channelId}` : sql``}
         ${f.topicId ? sql`AND c.topic_id = ${f.topicId}` : sql``})
    SELECT greatest(width_bucket(age_hours, ${arr}), 1) AS bin, status, count(*) AS n FROM open GROUP BY 1, 2 ORDER BY 1, 2`.execute(db);
  return rows.map((r) => ({ bin: Number(r.bin) - 1, status: r.status, n: Number(r.n) }));
}

export function listReportChannels(db: Db) {
  return db.selectFrom('channels').select(['id', 'name', 'kind']).orderBy('name').execute();
}

export function listReportTopics(db: Db) {
  return db.selectFrom('topics').select(['id', 'name', 'channelId']).orderBy('name').execute();
}

export function listReportUsers(db: Db) {
  return db.selectFrom('users').select(['id', 'name', 'role']).orderBy('name').execute();
}
