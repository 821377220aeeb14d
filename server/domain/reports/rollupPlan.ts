/**
 * Which part of a report range the rollups answer and which part is read from the posts live. The post
 * rollups hold UTC hours and the local days of ROLLUP_DAY_ZONE: the day rollup serves ranges of whole
 * local days asked in that zone by day or week; the hour rollup serves the whole hours of a range in
 * any zone whose offset is a whole number of hours throughout (local hours, days and weeks are then
 * unions of UTC hours). The agent rollup holds local days of ROLLUP_DAY_ZONE and serves the whole days
 * of any range. The rest (the edges, or all of a range in a zone such as Asia/Kolkata) is read live with
 * the same counting rules. No imports but dates. */
import { HOUR_MS } from '../time/zonedTime';
import { addDays, DAY_MS, localDate, zonedToInstant, zoneOffsetMs } from './range';

export type Span = { from: Date; to: Date };
/** `rollup.table`: hours = UTC hours of posts, days = local days of ROLLUP_DAY_ZONE, agentDays = the same days per agent. */
export type RollupPlan = { rollup: (Span & { table: 'hours' | 'days' | 'agentDays' }) | null; live: Span[] };

/** The zone of the local-day post rollup; the same as report_day_zone() in 009_report_rollup.sql. */
export const ROLLUP_DAY_ZONE = 'Europe/Berlin';

export function hasWholeHourOffsets(timeZone: string, span: Span): boolean {
  for (let t = span.from.getTime(); t < span.to.getTime() + DAY_MS; t += DAY_MS / 2) {
    if (zoneOffsetMs(timeZone, new Date(Math.min(t, span.to.getTime()))) % HOUR_MS !== 0) return false;
  }
  return true;
}

function planOnHours(span: Span): RollupPlan {
  const grid = HOUR_MS;
  const start = Math.ceil(span.from.getTime() / grid) * grid;
  const end = Math.floor(span.to.getTime() / grid) * grid;
  if (start >= end) return { rollup: null, live: [span] };
  const live = [
    { from: span.from, to: new Date(start) },
    { from: new Date(end), to: span.to },
  ].filter((s) => s.from.getTime() < s.to.getTime());
  return { rollup: { table: 'hours', from: new Date(start), to: new Date(end) }, live };
}

const isLocalMidnight = (at: Date) => (at.getTime() + zoneOffsetMs(ROLLUP_DAY_ZONE, at)) % DAY_MS === 0;

/**
 * Whole local days of ROLLUP_DAY_ZONE, asked in that zone and grouped by nothing finer than a day, come
 * from the day rollup; otherwise the hour rollup serves the whole hours.
 */
export function postPlan(span: Span, timeZone: string, opts: { hourly: boolean }): RollupPlan {
  if (!opts.hourly && timeZone === ROLLUP_DAY_ZONE && isLocalMidnight(span.from) && isLocalMidnight(span.to) && span.from < span.to) {
    return { rollup: { table: 'days', ...span }, live: [] };
  }
  return hasWholeHourOffsets(timeZone, span) ? planOnHours(span) : { rollup: null, live: [span] };
}

/** The whole local days (ROLLUP_DAY_ZONE) inside a span come from the agent rollup, the partial days at its edges live. */
export function agentPlan(span: Span): RollupPlan {
  const dayStart = (at: Date) => zonedToInstant(ROLLUP_DAY_ZONE, localDate(ROLLUP_DAY_ZONE, at));
  const firstStart = dayStart(span.from);
  const start = firstStart < span.from ? zonedToInstant(ROLLUP_DAY_ZONE, addDays(localDate(ROLLUP_DAY_ZONE, span.from), 1)) : firstStart;
  const end = dayStart(span.to);
  if (start >= end) return { rollup: null, live: [span] };
  const live = [
    { from: span.from, to: start },
    { from: end, to: span.to },
  ].filter((s) => s.from < s.to);
  return { rollup: { table: 'agentDays', from: start, to: end }, live };
}
