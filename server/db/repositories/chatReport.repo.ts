/**
 * The chat service level of one site, aggregated in SQL from chat_sessions (index chat_sessions_site_started_idx):
 * per local bucket of the start time and in total (one GROUPING SETS pass). A chat counts when it started in
 * [from, to) and, when the site has opening hours, inside one of the open spans given. Waits are seconds:
 * answer = accepted_at − offered; an abandoned chat (ended, never accepted) waited ended_at − offered. A chat is offered
 * to the team when it starts, or — bot first (033) — when the bot hands it over: one the visitor closed as
 * self-served, or the bot still holds, was never offered and does not count.
 */
import { sql } from 'kysely';
import type { DbOrTx } from '../client';
import type { Granularity } from '../../domain/reports/range';

export type ChatReportFilter = {
  siteId: string;
  from: Date;
  to: Date;
  timeZone: string;
  granularity: Granularity;
  targetSeconds: number;
  /** open spans [start, end) of the site's calendar within the range; null: always open */
  openSpans: readonly (readonly [number, number])[] | null;
  /** chats still waiting since after this instant are not decided yet (they may still make the target) */
  undecidedAfter: Date;
};

export type ChatReportRow = {
  /** null: the total */
  bucket: string | null;
  offered: string;
  accepted: string;
  acceptedWithinTarget: string;
  abandoned: string;
  waiting: string;
  undecided: string;
  abandonedWaitMean: number | null;
  abandonedWaitP90: number | null;
  asaP50: number | null;
  asaP90: number | null;
};

const bucketFormat = (g: Granularity) => (g === 'hour' ? 'YYYY-MM-DD"T"HH24:00' : 'YYYY-MM-DD');
const iso = (ms: number) => new Date(ms).toISOString();

export async function chatServiceLevelRows(db: DbOrTx, f: ChatReportFilter): Promise<ChatReportRow[]> {
  const withinHours = f.openSpans
    ? sql`AND EXISTS (SELECT 1 FROM unnest(${f.openSpans.map(([s]) => iso(s))}::timestamptz[], ${f.openSpans.map(([, e]) => iso(e))}::timestamptz[]) AS o(s, e)
              WHERE cs.started_at >= o.s AND cs.started_at < o.e)`
    : sql``;
  const result = await sql<ChatReportRow>`
    WITH offered AS (
      SELECT cs.*, CASE WHEN cs.bot_state IS NULL THEN cs.started_at WHEN cs.bot_state = 'handed_over' THEN cs.bot_done_at END AS offered_at
      FROM chat_sessions cs
      WHERE cs.site_id = ${f.siteId} AND cs.started_at >= ${f.from} AND cs.started_at < ${f.to} ${withinHours}
    ),
    chats AS (
      SELECT to_char(date_trunc(${f.granularity}, cs.started_at AT TIME ZONE ${f.timeZone}), ${bucketFormat(f.granularity)}) AS bucket,
             cs.accepted_at IS NOT NULL AS accepted,
             cs.accepted_at IS NULL AND cs.ended_at IS NOT NULL AS abandoned,
             cs.accepted_at IS NULL AND cs.ended_at IS NULL AS waiting,
             cs.offered_at,
             greatest(0, extract(epoch FROM cs.accepted_at - cs.offered_at))::float8 AS answer_s,
             greatest(0, extract(epoch FROM cs.ended_at - cs.offered_at))::float8 AS abandon_s
      FROM offered cs
      WHERE cs.offered_at IS NOT NULL
    )
    SELECT CASE WHEN grouping(bucket) = 1 THEN NULL ELSE bucket END AS bucket,
           count(*) AS offered,
           count(*) FILTER (WHERE accepted) AS accepted,
           count(*) FILTER (WHERE accepted AND answer_s <= ${f.targetSeconds}) AS accepted_within_target,
           count(*) FILTER (WHERE abandoned) AS abandoned,
           count(*) FILTER (WHERE waiting) AS waiting,
           count(*) FILTER (WHERE waiting AND offered_at > ${f.undecidedAfter}) AS undecided,
           avg(abandon_s) FILTER (WHERE abandoned) AS abandoned_wait_mean,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY abandon_s) FILTER (WHERE abandoned) AS abandoned_wait_p90,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY answer_s) FILTER (WHERE accepted) AS asa_p50,
           percentile_cont(0.9) WITHIN GROUP (ORDER BY answer_s) FILTER (WHERE accepted) AS asa_p90
    FROM chats
    GROUP BY GROUPING SETS ((bucket), ())
    ORDER BY grouping(bucket), bucket`.execute(db);
  return result.rows;
}
