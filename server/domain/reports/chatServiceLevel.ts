/**
 * The chat service level of a site (issue #18): per hour or day and in total, how many chats were offered,
 * accepted, accepted within the site's target seconds, abandoned (ended before anyone accepted) and how long
 * those waited, and the speed of answer (accepted_at − offered: the start, or the bot's handover, p50/p90). Only chats that started within
 * the site's opening hours count (its channel's calendar; none: always open).
 *
 * % within target = accepted within target / decided chats, where every offered chat is decided except one
 * still waiting that has not yet waited the target (it may still make it); an abandoned chat counts as missed.
 */
import type { Db } from '../../db/client';
import { chatServiceLevelRows, type ChatReportRow } from '../../db/repositories/chatReport.repo';
import { findChatSite } from '../../db/repositories/chatSites.repo';
import { findCalendar } from '../../db/repositories/sla.repo';
import { readReport } from '../../db/repositories/reports.repo';
import { BadRequest, NotFound } from '../../errors';
import { openSpansBetween } from '../sla/businessTime';
import { compiledCalendarOf } from '../sla/calendarCache';
import type { Granularity } from './range';

/** Chats exist from 2026 on; a range outside these years is a mistake or an attack, not a question. */
const EARLIEST = Date.UTC(2000, 0, 1);
const LATEST = Date.UTC(2100, 0, 1);

export type ChatReportParams = { siteId: string; from: Date; to: Date; fromDate: string; toDate: string; timeZone: string; granularity: Granularity };

const seconds = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);

function figures(r: ChatReportRow) {
  const offered = Number(r.offered);
  const acceptedWithinTarget = Number(r.acceptedWithinTarget);
  const decided = offered - Number(r.undecided);
  return {
    offered,
    accepted: Number(r.accepted),
    acceptedWithinTarget,
    pctWithinTarget: decided > 0 ? Math.round((acceptedWithinTarget / decided) * 1000) / 10 : null,
    abandoned: Number(r.abandoned),
    abandonedWaitSeconds: { mean: seconds(r.abandonedWaitMean), p90: seconds(r.abandonedWaitP90) },
    asaSeconds: { p50: seconds(r.asaP50), p90: seconds(r.asaP90) },
    waiting: Number(r.waiting),
  };
}

/** Why a range cannot be a chat report, or null. */
export function chatRangeProblem(from: Date, to: Date): string | null {
  return from.getTime() < EARLIEST || to.getTime() > LATEST ? 'a chat report covers the years 2000 to 2099' : null;
}

export async function buildChatReport(db: Db, p: ChatReportParams, now: Date) {
  const problem = chatRangeProblem(p.from, p.to);
  if (problem) throw new BadRequest(`from: ${problem}`, { fields: { from: 'invalid' } });
  const site = await findChatSite(db, p.siteId);
  if (!site) throw new NotFound('Chat site');
  const calendarRow = site.calendarId ? await findCalendar(db, site.calendarId) : undefined;
  const calendar = calendarRow
    ? compiledCalendarOf({ calendarId: calendarRow.id, calendarDefinition: calendarRow.definition, calendarUpdatedAt: calendarRow.updatedAt })
    : null;
  const rows = await readReport(db, (tx) =>
    chatServiceLevelRows(tx, {
      siteId: site.id,
      from: p.from,
      to: p.to,
      timeZone: p.timeZone,
      granularity: p.granularity,
      targetSeconds: site.targetSeconds,
      openSpans: calendar ? openSpansBetween(calendar, p.from, p.to) : null,
      undecidedAfter: new Date(now.getTime() - site.targetSeconds * 1000),
    }),
  );
  const total = rows.find((r) => r.bucket === null);
  return {
    siteId: site.id,
    siteName: site.name,
    from: p.fromDate,
    to: p.toDate,
    timeZone: p.timeZone,
    granularity: p.granularity,
    target: { seconds: site.targetSeconds, percent: site.targetPercent },
    openingHours: calendarRow ? { calendarId: calendarRow.id, name: calendarRow.name } : null,
    buckets: rows.filter((r) => r.bucket !== null).map((r) => ({ bucket: r.bucket!, ...figures(r) })),
    // the empty grouping set answers even without chats: the total is always there
    total: figures(total!),
  };
}
