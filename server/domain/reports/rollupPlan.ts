/**
 * Which part of a report range the rollups answer and which part is read from the posts live. The post
 * rollups hold UTC hours and the local days of ROLLUP_DAY_ZONE; the hour rollup serves whole hours of a range in a time zone whose offset is a whole
 * number of hours throughout (local hours, days and weeks are then unions of UTC hours); the agent
 * rollup holds UTC days and serves the whole days of any range. The rest (the edges, or all of a range
 * in a zone such as Asia/Kolkata) is read live with the same counting rules. No imports but dates.
 */
import { DAY_MS, zoneOffsetMs } from './range';

export type Span = { from: Date; to: Date };
/** `rollup.table`: hours = UTC hours of posts, days = local days of ROLLUP_DAY_ZONE, agentDays = UTC days per agent. */
export type RollupPlan = { rollup: (Span & { table: 'hours' | 'days' | 'agentDays' }) | null; live: Span[] };

/** The zone of the local-day post rollup; the same as report_day_zone() in 009_report_rollup.sql. */
export const ROLLUP_DAY_ZONE = 'Europe/Berlin';

const HOUR_MS = 3_600_000;

export function hasWholeHourOffsets(timeZone: string, span: Span): boolean {
  for (let t = span.from.getTime(); t < span.to.getTime() + DAY_MS; t += DAY_MS / 2) {
    if (zoneOffsetMs(timeZone, new Date(Math.min(t, span.to.getTime()))) % HOUR_MS !== 0) return false;
  }
  return true;
}

function planOnGrid(span: Span, grid: number, table: 'hours' | 'agentDays'): RollupPlan {
  const start = Math.ceil(span.from.getTime() / grid) * grid;
  const end = Math.floor(span.to.getTime() / grid) * grid;
  if (start >= end) return { rollup: null, live: [span] };
  const live = [
    { from: span.from, to: new Date(start) },
    { from: new Date(end), to: span.to },
  ].filter((s) => s.from.getTime() < s.to.getTime());
  return { rollup: { table, from: new Date(start), to: new Date(end) }, live };
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
  return hasWholeHourOffsets(timeZone, span) ? planOnGrid(span, HOUR_MS, 'hours') : { rollup: null, live: [span] };
}

export function agentPlan(span: Span): RollupPlan {
  return planOnGrid(span, DAY_MS, 'agentDays');
}
