/**
 * Report ranges: local calendar days in an IANA time zone turned into instants, presets, the previous
 * period and the limits (from <= to, at most 400 days). Time-zone arithmetic: domain/time/zonedTime.ts.
 */
import { addDays, DAY_MS, isValidTimeZone, localDate, zonedToInstant, zoneOffsetMs } from '../time/zonedTime';

// Local dates and instants come from the one time-zone module; re-exported for the report code.
export { addDays, DAY_MS, isValidTimeZone, localDate, zonedToInstant, zoneOffsetMs };

export type Granularity = 'hour' | 'day' | 'week';
export const GRANULARITIES: readonly Granularity[] = ['hour', 'day', 'week'];
export const MAX_RANGE_DAYS = 400;
/** Hour buckets beyond a month are unreadable as a chart and cost seconds to compute: day or week then. */
export const MAX_HOURLY_RANGE_DAYS = 31;

export type ReportRange = { from: Date; to: Date; timeZone: string };

/** Local days [fromDate, toDate] inclusive as an instant range [from, to). */
export function localDaysRange(timeZone: string, fromDate: string, toDate: string): ReportRange {
  return { from: zonedToInstant(timeZone, fromDate), to: zonedToInstant(timeZone, addDays(toDate, 1)), timeZone };
}

export type Preset = 'today' | 'last7' | 'last30' | 'thisMonth' | 'lastMonth';
export const PRESETS: readonly Preset[] = ['today', 'last7', 'last30', 'thisMonth', 'lastMonth'];

/** A preset as inclusive local dates, relative to `now` in the time zone (last 7 days = today and the 6 before). */
export function presetDates(preset: Preset, timeZone: string, now: Date): { fromDate: string; toDate: string } {
  const today = localDate(timeZone, now);
  const firstOfMonth = `${today.slice(0, 8)}01`;
  switch (preset) {
    case 'today':
      return { fromDate: today, toDate: today };
    case 'last7':
      return { fromDate: addDays(today, -6), toDate: today };
    case 'last30':
      return { fromDate: addDays(today, -29), toDate: today };
    case 'thisMonth':
      return { fromDate: firstOfMonth, toDate: today };
    case 'lastMonth': {
      const lastOfPrev = addDays(firstOfMonth, -1);
      return { fromDate: `${lastOfPrev.slice(0, 8)}01`, toDate: lastOfPrev };
    }
  }
}

/** The period of the same number of local days right before [fromDate, toDate]. */
export function previousPeriodDates(fromDate: string, toDate: string): { fromDate: string; toDate: string } {
  const days = daysBetween(fromDate, toDate) + 1;
  return { fromDate: addDays(fromDate, -days), toDate: addDays(fromDate, -1) };
}

export function daysBetween(a: string, b: string): number {
  return Math.round((zonedToInstant('UTC', b).getTime() - zonedToInstant('UTC', a).getTime()) / DAY_MS);
}

/** Why a granularity does not suit a range, or null. */
export function granularityProblem(granularity: Granularity, from: Date, to: Date): string | null {
  if (granularity === 'hour' && to.getTime() - from.getTime() > MAX_HOURLY_RANGE_DAYS * DAY_MS + 2 * 3_600_000) {
    return `by hour the range may span at most ${MAX_HOURLY_RANGE_DAYS} days; choose day or week`;
  }
  return null;
}

/** Why a range is not acceptable, or null. */
export function rangeProblem(from: Date, to: Date): string | null {
  if (from.getTime() > to.getTime()) return 'from must not be after to';
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY_MS + 2 * 3_600_000) return `the range may span at most ${MAX_RANGE_DAYS} days`;
  return null;
}
