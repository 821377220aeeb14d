/**
 * Report figures from the rollups of 009_report_rollup.sql. One statement adds up, per requested key:
 * the rollup rows of the planned span, the deltas not folded yet, the live contributions of the rest of
 * the range (report_contributions(), the same rules the trigger applies), and — for posts — the posts
 * still awaiting an answer, judged against `now`. One statement is one snapshot: nothing is counted
 * twice or lost while the folder moves deltas. Plain SELECTs: ingest is never blocked.
 */
import { sql, type RawBuilder } from 'kysely';
import type { DbOrTx } from '../client';
import type { Bins } from '../../domain/reports/histogram';
import type { RollupPlan, Span } from '../../domain/reports/rollupPlan';

export const NO_TOPIC = '00000000-0000-0000-0000-000000000000';

/** The rollup tables' bin columns, b0/b0s … b50/b50s (009_report_rollup.sql); the domain's bin edges match them (a unit test says so). */
export const ROLLUP_BIN_COUNT = 51;
const BINS = Array.from({ length: ROLLUP_BIN_COUNT }, (_, i) => i);
const COUNTS = ['inbound', 'within', 'late', 'breached', 'replies', 'open', 'overdue'] as const;
type Count = (typeof COUNTS)[number];

/** The columns a key may be built from: the row's time (slot, or posted_at when read live), channel, topic (NO_TOPIC for none), user. */
export type KeyColumns = { time: RawBuilder<unknown>; channel: RawBuilder<unknown>; topic: RawBuilder<unknown>; user: RawBuilder<unknown> };
export type KeysOf = (c: KeyColumns) => RawBuilder<unknown>[];

export type Figures = Record<Count, number> & { key: unknown[]; business: Bins; wall: Bins };

export type RollupFilter = { channelId?: string | undefined; topicId?: string | undefined; now: Date };

const T: KeyColumns = { time: sql.ref('t.t_time'), channel: sql.ref('t.channel_id'), topic: sql.ref('t.topic_id'), user: sql.ref('t.user_id') };

const inSpan = (col: RawBuilder<unknown>, s: Span) => sql`(${col} >= ${s.from} AND ${col} < ${s.to})`;
const inSpans = (col: RawBuilder<unknown>, spans: Span[]) =>
  sql`(${sql.join(
    spans.map((s) => inSpan(col, s)),
    sql` OR `,
  )})`;
const raw = (parts: string[]) => sql.raw(parts.join(', '));

const MEASURES = ['b', 'w'] as const;
const BIN_COLUMNS = MEASURES.flatMap((m) => BINS.flatMap((i) => [`${m}${i}`, `${m}${i}s`]));
/** b0, b0s, … w50s (count and sum per bin) as the rollup tables hold them. */
const binColumns = raw(BIN_COLUMNS);
/** The same columns from contribution rows (bbin / bval, wbin / wval), weighted by `weight`. */
const binsOfContribution = (weight: string, alias: string) =>
  raw(
    MEASURES.flatMap((m) =>
      BINS.flatMap((i) => [
        `CASE WHEN ${alias}.${m}bin = ${i} THEN ${weight} ELSE 0 END AS ${m}${i}`,
        `CASE WHEN ${alias}.${m}bin = ${i} THEN ${weight} * ${alias}.${m}val ELSE 0 END AS ${m}${i}s`,
      ]),
    ),
  );
const zeroBins = raw(BIN_COLUMNS.map((c) => `0 AS ${c}`));

type Kind = 'post' | 'agent';

/**
 * Rows of one kind's sources, all shaped (t_time, channel_id, topic_id, user_id, counts…, bins…). The
 * topic filter of the agent kind keeps every reply: replies carry no topic (docs/reports.md, People).
 */
function sources(kind: Kind, plan: RollupPlan, f: RollupFilter): RawBuilder<unknown>[] {
  const topicCond = (topic: RawBuilder<unknown>, replies: RawBuilder<unknown>) =>
    !f.topicId ? sql`true` : kind === 'post' ? sql`${topic} = ${f.topicId}` : sql`(${topic} = ${f.topicId} OR ${replies} <> 0)`;
  const channelCond = (channel: RawBuilder<unknown>) => (f.channelId ? sql`${channel} = ${f.channelId}` : sql`true`);
  const out: RawBuilder<unknown>[] = [];
  if (plan.rollup) {
    const r = plan.rollup;
    const [table, time, where] =
      r.table === 'days'
        ? [
            sql.raw('report_post_days'),
            sql`(r.day::timestamp AT TIME ZONE report_day_zone())`,
            sql`r.day >= (${r.from}::timestamptz AT TIME ZONE report_day_zone())::date AND r.day < (${r.to}::timestamptz AT TIME ZONE report_day_zone())::date`,
          ]
        : [sql.raw(r.table === 'hours' ? 'report_post_hours' : 'report_agent_days'), sql.ref('r.slot'), inSpan(sql.ref('r.slot'), r)];
    if (kind === 'post') {
      out.push(sql`SELECT ${time} AS t_time, r.channel_id, r.topic_id, NULL::uuid AS user_id, inbound, within, late, breached, 0 AS replies,
          0 AS open, 0 AS overdue, ${binColumns}
        FROM ${table} r WHERE ${where} AND ${channelCond(sql.ref('r.channel_id'))} AND ${topicCond(sql.ref('r.topic_id'), sql.ref('r.replies'))}`);
    } else {
      // An agent's day row holds their replies (no topic) together with their answers on posts without a
      // topic: under a topic filter the replies count, the answers only when the row is of that topic.
      const answers = (c: string) => `CASE WHEN r.on_topic THEN r.${c} ELSE 0 END AS ${c}`;
      out.push(sql`SELECT ${time} AS t_time, r.channel_id, r.topic_id, r.user_id, 0 AS inbound,
          ${raw(['within', 'late', 'breached'].map(answers))}, r.replies, 0 AS open, 0 AS overdue, ${raw(BIN_COLUMNS.map(answers))}
        FROM (SELECT a.*, ${f.topicId ? sql`a.topic_id = ${f.topicId}` : sql`true`} AS on_topic FROM ${table} a) r
       WHERE ${where} AND ${channelCond(sql.ref('r.channel_id'))} AND ${topicCond(sql.ref('r.topic_id'), sql.ref('r.replies'))}`);
    }
    out.push(sql`SELECT d.slot AS t_time, d.channel_id, d.topic_id, d.user_id, d.sign * d.inbound AS inbound, d.sign * d.within AS within,
        d.sign * d.late AS late, d.sign * d.breached AS breached, d.sign * d.replies AS replies, 0 AS open, 0 AS overdue,
        ${binsOfContribution('d.sign', 'd')}
      FROM report_deltas d WHERE d.kind = ${kind} AND ${inSpan(sql.ref('d.slot'), r)} AND ${channelCond(sql.ref('d.channel_id'))}
       AND ${topicCond(sql.ref('d.topic_id'), sql.ref('d.replies'))}`);
  }
  if (plan.live.length > 0) {
    const directions = kind === 'post' ? ['inbound'] : ['inbound', 'outbound'];
    for (const direction of directions) {
      out.push(sql`SELECT m.posted_at AS t_time, c.channel_id, c.topic_id, c.user_id, c.inbound, c.within, c.late, c.breached, c.replies,
          0 AS open, 0 AS overdue, ${binsOfContribution('1', 'c')}
        FROM messages m CROSS JOIN LATERAL report_contributions(m) c
       WHERE m.direction = ${direction} AND ${inSpans(sql.ref('m.posted_at'), plan.live)} AND c.kind = ${kind}
         AND ${channelCond(sql.ref('m.channel_id'))} AND ${topicCond(sql.ref('c.topic_id'), sql.ref('c.replies'))}`);
    }
  }
  return out;
}

/**
 * Timed posts still awaiting an answer without a recorded breach: open until due, then breached. Counted
 * per UTC quarter hour (every time zone's local hours are unions of those) before they join the sums.
 */
function awaiting(span: Span, f: RollupFilter): RawBuilder<unknown> {
  return sql`SELECT date_bin('15 minutes', m.posted_at, '2000-01-01 00:00:00+00') AS t_time, m.channel_id,
      coalesce(m.topic_id, ${NO_TOPIC}::uuid) AS topic_id, NULL::uuid AS user_id, 0 AS inbound, 0 AS within, 0 AS late, 0 AS breached,
      0 AS replies, count(*) FILTER (WHERE m.sla_due_at > ${f.now})::int AS open, count(*) FILTER (WHERE m.sla_due_at <= ${f.now})::int AS overdue,
      ${zeroBins}
    FROM messages m
   WHERE m.direction = 'inbound' AND m.sla_due_at IS NOT NULL AND m.responded_at IS NULL AND m.sla_state IS DISTINCT FROM 'breached'
     AND ${inSpan(sql.ref('m.posted_at'), span)}
     ${f.channelId ? sql`AND m.channel_id = ${f.channelId}` : sql``} ${f.topicId ? sql`AND m.topic_id = ${f.topicId}` : sql``}
   GROUP BY 1, 2, 3`;
}

/**
 * Per measure the bins that hold anything, as one text "bin:count:sum,…" (sums in thousandths of a
 * minute): thousands of rows of 204 numbers, mostly zero, travel and parse far faster this way than
 * as columns or arrays. concat_ws skips the empty bins (NULL).
 */
const binLists = raw(
  MEASURES.map(
    (m) =>
      `concat_ws(',', ${BINS.map(
        (i) => `CASE WHEN sum(t.${m}${i}) <> 0 THEN '${i}:' || sum(t.${m}${i}) || ':' || round(sum(t.${m}${i}s) * 1000)::bigint END`,
      ).join(', ')}) AS ${m}_bins`,
  ),
);

/**
 * "bin:count:sum,…" read in place (no array per entry): a report of 90 days by day reads thousands of these
 * lists, and splitting each entry was a fifth of the report page's CPU.
 */
export function parseBinList(list: unknown): Bins {
  const bins: Bins = { counts: new Array<number>(ROLLUP_BIN_COUNT).fill(0), sums: new Array<number>(ROLLUP_BIN_COUNT).fill(0) };
  const text = typeof list === 'string' ? list : String(list ?? '');
  for (let at = 0; at < text.length; ) {
    let end = text.indexOf(',', at);
    if (end === -1) end = text.length;
    if (end > at) {
      const first = text.indexOf(':', at);
      const second = text.indexOf(':', first + 1);
      const i = Number(text.slice(at, first));
      bins.counts[i] = Number(text.slice(first + 1, second));
      bins.sums[i] = Number(text.slice(second + 1, end)) / 1000;
    }
    at = end + 1;
  }
  return bins;
}

async function figures(db: DbOrTx, parts: RawBuilder<unknown>[], keysOf: KeysOf): Promise<Figures[]> {
  if (parts.length === 0) return [];
  const keys = keysOf(T);
  const keySelect = sql.join(keys.map((k, i) => sql`${k} AS ${sql.raw(`k${i}`)}`));
  const sums = raw(COUNTS.map((c) => `sum(t.${c})::int AS ${c}`));
  const groupBy = raw(keys.map((_, i) => String(i + 1)));
  const { rows } = await sql<Record<string, unknown>>`
    SELECT ${keySelect}, ${sums}, ${binLists} FROM (${sql.join(parts, sql` UNION ALL `)}) t GROUP BY ${groupBy} ORDER BY ${groupBy}`.execute(db);
  return rows.map((r) => ({
    key: keys.map((_, i) => r[`k${i}`]),
    ...(Object.fromEntries(COUNTS.map((c) => [c, Number(r[c])])) as Record<Count, number>),
    business: parseBinList(r.bBins),
    wall: parseBinList(r.wBins),
  }));
}

/** Inbound posts of [span) grouped by the keys; `plan` says which part the post rollup answers. */
export function postFigures(db: DbOrTx, span: Span, plan: RollupPlan, f: RollupFilter, keysOf: KeysOf): Promise<Figures[]> {
  return figures(db, [...sources('post', plan, f), awaiting(span, f)], keysOf);
}

/** Answers, breaches and replies per agent (and whatever else the keys pick) of [span). */
export function agentFigures(db: DbOrTx, plan: RollupPlan, f: RollupFilter, keysOf: KeysOf): Promise<Figures[]> {
  return figures(db, sources('agent', plan, f), keysOf);
}

/** Moves committed deltas into the rollups (the worker runs this every minute). */
export async function foldReportDeltas(db: DbOrTx): Promise<void> {
  await sql`SELECT report_fold()`.execute(db);
}

/** Recomputes the rollups from all messages (after a bulk load that bypassed the triggers). */
export async function rebuildReportRollups(db: DbOrTx): Promise<void> {
  await sql`SELECT report_rebuild()`.execute(db);
}

const localTime = (c: KeyColumns, timeZone: string) => sql`(${c.time} AT TIME ZONE ${timeZone})`;
const bucketOf = (c: KeyColumns, granularity: string, timeZone: string) => sql`date_trunc(${granularity}, ${localTime(c, timeZone)})`;
const labelFormat = (granularity: string) => (granularity === 'hour' ? 'YYYY-MM-DD"T"HH24:00' : 'YYYY-MM-DD');

/** The groupings the reports ask for. */
export const reportKeys = {
  /** [local bucket label, bucket start instant, channel] */
  bucketAndChannel:
    (granularity: string, timeZone: string): KeysOf =>
    (c) => [
      sql`to_char(${bucketOf(c, granularity, timeZone)}, ${labelFormat(granularity)})`,
      sql`${bucketOf(c, granularity, timeZone)} AT TIME ZONE ${timeZone}`,
      sql`${c.channel}::text`,
    ],
  channel: (): KeysOf => (c) => [sql`${c.channel}::text`],
  /** the topic, null for posts without one */
  topic: (): KeysOf => (c) => [sql`nullif(${c.topic}, ${NO_TOPIC}::uuid)::text`],
  /** [local ISO weekday 1–7, local hour 0–23] */
  weekdayAndHour:
    (timeZone: string): KeysOf =>
    (c) => [sql`extract(isodow FROM ${localTime(c, timeZone)})::int`, sql`extract(hour FROM ${localTime(c, timeZone)})::int`],
  user: (): KeysOf => (c) => [sql`${c.user}::text`],
};
