/**
 * Report ranges: local calendar days in an IANA time zone turned into instants, presets, the previous
 * period and the limits (from <= to, at most 400 days). No imports but dates.
 */
import { zoneOffsetMs } from '../zonedTime';

export { zoneOffsetMs };

export type Granularity = 'hour' | 'day' | 'week';
export const GRANULARITIES: readonly Granularity[] = ['hour', 'day', 'week'];
export const MAX_RANGE_DAYS = 400;
/** Hour buckets beyond a month are unreadable as a chart and cost seconds to compute: day or week then. */
export const MAX_HOURLY_RANGE_DAYS = 31;
export const DAY_MS = 86_400_000;

export type ReportRange = { from: Date; to: Date; timeZone: string };

export function isValidTimeZone(tz: string): boolean {
  if (!tz || tz.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** The local calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(timeZone: string, at: Date): string {
  return new Date(at.getTime() + zoneOffsetMs(timeZone, at)).toISOString().slice(0, 10);
}

/** The instant a local date-time (wall clock, no offset) happens in a time zone; a time in a DST gap moves forward by the gap (02:30 → 03:30). */
export function zonedToInstant(timeZone: string, localIso: string): Date {
  const [d, t = '00:00'] = localIso.split('T');
  const [y, m, day] = d!.split('-').map(Number);
  const [hh, mm] = t.split(':').map(Number);
  const wall = Date.UTC(y!, m! - 1, day!, hh ?? 0, mm ?? 0);
  let guess = wall - zoneOffsetMs(timeZone, new Date(wall));
  const second = wall - zoneOffsetMs(timeZone, new Date(guess));
  if (second !== guess) guess = Math.max(guess, second);
  return new Date(guess);
}

/** Adds calendar days to a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y!, m! - 1, d! + days)).toISOString().slice(0, 10);
}

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
    case 'today': return { fromDate: today, toDate: today };
    case 'last7': return { fromDate: addDays(today, -6), toDate: today };
    case 'last30': return { fromDate: addDays(today, -29), toDate: today };
    case 'thisMonth': return { fromDate: firstOfMonth, toDate: today };
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
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);
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
