/**
 * The one time-zone module: UTC offsets of IANA zones, local wall time ↔ instant, civil dates as day
 * numbers, and the cached Intl formatters. Everything that reads or writes local time goes through
 * here (business calendars, report ranges, datetime-local fields, formatted dates). No imports.
 *
 * Wall times are "local time written as if it were UTC", in ms since the epoch: 2026-10-25 02:30 in
 * Berlin is the wall time Date.UTC(2026, 9, 25, 2, 30). Turning a wall time into an instant follows
 * one rule, `wallToInstant`: the earliest instant at which the local clock reads that time or later.
 *
 * - Repeated hour (autumn, clocks go back): the FIRST occurrence. Europe/Berlin 2026-10-25 02:30 is
 *   00:30Z (02:30 CEST), not 01:30Z (02:30 CET).
 * - Skipped hour (spring, clocks go forward): the instant of the jump, i.e. the first valid local time
 *   after the gap. Europe/Berlin 2026-03-29 02:30 (never shown by a clock) is 01:00Z = 03:00 CEST.
 *
 * The rule is monotone (a later wall time never maps to an earlier instant), so a local interval never
 * becomes a negative span and a local day always starts no later than it ends.
 */

const SECOND_MS = 1_000;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Intl formatters (building one costs tens of µs; each locale + options pair is built once)
// ---------------------------------------------------------------------------------------------

const formats = new Map<string, Intl.DateTimeFormat>();

export function dateTimeFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}|${JSON.stringify(options)}`;
  let format = formats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, options);
    formats.set(key, format);
  }
  return format;
}

export function isValidTimeZone(timeZone: string): boolean {
  if (!timeZone || timeZone.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Civil dates (proleptic Gregorian, any year JavaScript can hold; no Date.UTC, which maps years
// 0-99 to 1900-1999)
// ---------------------------------------------------------------------------------------------

/** Days since 1970-01-01 of a civil date (month 1-12). H. Hinnant's days_from_civil. */
export function dayNumberOf(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The civil date of a day number. */
export function civilOf(dayNumber: number): { year: number; month: number; day: number } {
  const z = dayNumber + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** A wall time from its fields (month 1-12); hours/minutes may overflow into the next day. */
export function wallTimeOf(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  return dayNumberOf(year, month, day) * DAY_MS + ((hour * 60 + minute) * 60 + second) * SECOND_MS;
}

/** Parses "YYYY-MM-DD" into a day number; null if malformed or not a real date (e.g. 2026-02-30). */
export function parseIsoDate(text: string): number | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  return match ? civilDayOrNull(Number(match[1]), Number(match[2]), Number(match[3])) : null;
}

/**
 * Parses "YYYY-MM-DD" or "YYYY-MM-DDTHH:MM" (a datetime-local value) into a wall time; null if
 * malformed. Years beyond 9999 are written as toISOString does (+010000-01-01).
 */
export function parseLocalDateTime(text: string): number | null {
  const match = /^(\d{4}|[+-]\d{6})-(\d{2})-(\d{2})(?:T([01]\d|2[0-3]):([0-5]\d))?$/.exec(text);
  if (!match) return null;
  const day = civilDayOrNull(Number(match[1]), Number(match[2]), Number(match[3]));
  if (day === null) return null;
  return day * DAY_MS + (Number(match[4] ?? 0) * 60 + Number(match[5] ?? 0)) * MINUTE_MS;
}

function civilDayOrNull(year: number, month: number, day: number): number | null {
  if (month < 1 || month > 12 || day < 1) return null;
  const dayNumber = dayNumberOf(year, month, day);
  const back = civilOf(dayNumber);
  return back.month === month && back.day === day ? dayNumber : null;
}

/** Adds calendar days to a "YYYY-MM-DD" date. */
export function addDays(date: string, days: number): string {
  const wall = parseLocalDateTime(date);
  if (wall === null) throw new RangeError(`malformed date ${date}`);
  return formatIsoDate(Math.floor(wall / DAY_MS) + days);
}

/** "YYYY-MM-DD" of a day number (years 0-9999; others with a sign and six digits, like toISOString). */
export function formatIsoDate(dayNumber: number): string {
  const { year, month, day } = civilOf(dayNumber);
  const y = year >= 0 && year <= 9999 ? String(year).padStart(4, '0') : `${year < 0 ? '-' : '+'}${String(Math.abs(year)).padStart(6, '0')}`;
  return `${y}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------
// Zone offsets
// ---------------------------------------------------------------------------------------------

/** Offset (local minus UTC, in ms) during one UTC day, with at most one transition inside it. */
interface DayOffsets {
  readonly before: number;
  readonly transitionAt: number;
  readonly after: number;
}

/** UTC days whose offsets one zone keeps; the cache is emptied when full, so hostile instants cannot grow it. */
const OFFSET_CACHE_DAYS = 20_000;

const zones = new Map<string, (instant: number) => number>();

function zoneOffsets(timeZone: string): (instant: number) => number {
  let offsets = zones.get(timeZone);
  if (!offsets) {
    offsets = createZoneOffsets(timeZone);
    zones.set(timeZone, offsets);
  }
  return offsets;
}

/**
 * Offsets come from Intl (a few µs per call), so they are cached per UTC day: the offsets at both
 * ends of the day are sampled and, if they differ, the transition is located to the second by
 * bisection. Real zones never change offset twice within one day.
 */
function createZoneOffsets(timeZone: string): (instant: number) => number {
  const formatter = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    era: 'short',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
  const days = new Map<number, DayOffsets>();

  const sampleOffset = (instant: number): number => {
    const fields: Record<string, number> = {};
    let bc = false;
    for (const part of formatter.formatToParts(instant)) {
      if (part.type === 'era') bc = part.value === 'BC' || part.value === 'B';
      else fields[part.type] = Number(part.value);
    }
    const { year = NaN, month = NaN, day = NaN, hour = NaN, minute = NaN, second = NaN } = fields;
    const wholeSecond = Math.floor(instant / SECOND_MS) * SECOND_MS;
    return wallTimeOf(bc ? 1 - year : year, month, day, hour, minute, second) - wholeSecond;
  };

  const offsetsOfDay = (utcDay: number): DayOffsets => {
    const cached = days.get(utcDay);
    if (cached) return cached;
    const dayStart = utcDay * DAY_MS;
    const dayEnd = dayStart + DAY_MS;
    const before = days.get(utcDay - 1)?.after ?? sampleOffset(dayStart);
    const after = days.get(utcDay + 1)?.before ?? sampleOffset(dayEnd);
    let lo = dayStart;
    let hi = dayEnd;
    if (before !== after) {
      // Invariant: offset at lo is `before`, offset at hi is not.
      while (hi - lo > SECOND_MS) {
        const mid = lo + Math.floor((hi - lo) / 2 / SECOND_MS) * SECOND_MS;
        if (sampleOffset(mid) === before) lo = mid;
        else hi = mid;
      }
    }
    const offsets = { before, transitionAt: hi, after };
    if (days.size >= OFFSET_CACHE_DAYS) days.clear();
    days.set(utcDay, offsets);
    return offsets;
  };

  return (instant) => {
    const { before, transitionAt, after } = offsetsOfDay(Math.floor(instant / DAY_MS));
    return instant < transitionAt ? before : after;
  };
}

/** The UTC offset (ms, east positive) of a time zone at an instant (whole seconds). */
export function zoneOffsetMs(timeZone: string, at: Date | number): number {
  return zoneOffsets(timeZone)(typeof at === 'number' ? at : at.getTime());
}

/** The wall time (local time as if UTC) of an instant. */
export function instantToWall(timeZone: string, instant: number): number {
  return instant + zoneOffsets(timeZone)(instant);
}

/**
 * The earliest instant at which the local clock reads `wall` or later: the first occurrence of a
 * repeated time, the moment of the jump for a skipped one (see the module comment).
 */
export function wallToInstant(timeZone: string, wall: number): number {
  const offsetAt = zoneOffsets(timeZone);
  // Offsets a day either side bracket every offset the wall time could have.
  const withOffsetBefore = wall - offsetAt(wall - DAY_MS);
  const withOffsetAfter = wall - offsetAt(wall + DAY_MS);
  const earlier = Math.min(withOffsetBefore, withOffsetAfter);
  const later = Math.max(withOffsetBefore, withOffsetAfter);
  if (earlier + offsetAt(earlier) === wall) return earlier;
  if (later + offsetAt(later) === wall) return later;
  // In a gap: the first instant in (earlier, later] whose offset differs from the one at `earlier`.
  const offsetAtEarlier = offsetAt(earlier);
  let lo = earlier;
  let hi = later;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsetAt(mid) === offsetAtEarlier) lo = mid;
    else hi = mid;
  }
  return hi;
}

// ---------------------------------------------------------------------------------------------
// Conveniences on top of the two conversions
// ---------------------------------------------------------------------------------------------

/** The local date (day number) of an instant. */
export function localDayOf(timeZone: string, instant: number): number {
  return Math.floor(instantToWall(timeZone, instant) / DAY_MS);
}

/** The local calendar date (YYYY-MM-DD) of an instant. */
export function localDate(timeZone: string, at: Date): string {
  return formatIsoDate(localDayOf(timeZone, at.getTime()));
}

/** The instant of a local "YYYY-MM-DD" (midnight) or "YYYY-MM-DDTHH:MM"; null if malformed. */
export function parseZonedLocal(local: string, timeZone: string): Date | null {
  const wall = parseLocalDateTime(local);
  return wall === null ? null : new Date(wallToInstant(timeZone, wall));
}

/** Like parseZonedLocal for text already known to be well-formed (report ranges); throws otherwise. */
export function zonedToInstant(timeZone: string, local: string): Date {
  const at = parseZonedLocal(local, timeZone);
  if (!at) throw new RangeError(`malformed local date-time ${local}`);
  return at;
}
