import Holidays from 'date-holidays';
import type { CalendarDefinition, ClockInterval, Weekday } from './calendar';

/**
 * Business-time arithmetic for SLA timing.
 *
 * A calendar is open during half-open spans [start, end) of real time. Spans are derived per local
 * date: the weekly intervals of that weekday (plus the tail of a previous day's interval crossing
 * midnight), cut short by a closure or public holiday, plus any extra openings for that date.
 * Local wall times become instants through a cached, DST-aware zone-offset routine, so an interval
 * 01:00-04:00 lasts 2 h on a spring-forward day and 4 h on a fall-back day.
 */

const SECOND_MS = 1_000;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const MINUTES_PER_DAY = 1_440;
/** How far addBusinessMinutes/nextOpening look for open time before giving up. */
const MAX_CLOSED_DAYS = 3 * 366;
/** Dates whose open spans a compiled calendar keeps; the cache is simply emptied when full. */
const SPANS_CACHE_LIMIT = 10_000;

/** Minutes after local midnight: [from, to) with 0 <= from < to <= 1440. */
type MinuteRange = readonly [from: number, to: number];

/** A civil date counted in days since 1970-01-01 (weekday: (day + 4) mod 7, 0 = Sunday). */
type DayNumber = number;

/** Half-open span of real time [start, end) in ms since the epoch. */
type Span = readonly [start: number, end: number];

export interface CompiledCalendar {
  readonly name: string;
  readonly timeZone: string;
  /** The local date of an instant. */
  readonly localDayOf: (instant: number) => DayNumber;
  /** Open spans of a local date as instants, in order (cached per date). */
  readonly openSpansOn: (day: DayNumber) => readonly Span[];
}

interface DaySchedule {
  /** Indexed by weekday, 0 = Sunday; includes tails of intervals crossing midnight from the previous weekday. */
  readonly weeklyMinutes: readonly (readonly MinuteRange[])[];
  readonly closures: ReadonlySet<DayNumber>;
  readonly extraMinutes: ReadonlyMap<DayNumber, readonly MinuteRange[]>;
  /** Minute of the day from which a public holiday closes the date (0 = all day), if it is one. */
  readonly holidayClosesFrom: ((day: DayNumber) => number | undefined) | null;
}

const WEEKDAY_INDEX: Record<Weekday, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

// ---------------------------------------------------------------------------------------------
// Clock times and civil dates
// ---------------------------------------------------------------------------------------------

/** Parses "HH:MM" (00:00-23:59, or 24:00) into minutes after midnight; null if malformed. */
export function parseClockTime(text: string): number | null {
  if (text === '24:00') return MINUTES_PER_DAY;
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/** Parses "YYYY-MM-DD" into a day number; null if malformed or not a real date (e.g. 2026-02-30). */
export function parseIsoDate(text: string): DayNumber | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const date = new Date(ms);
  const isRealDate = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return isRealDate ? ms / DAY_MS : null;
}

/**
 * Splits an interval into the part on its own day and, when it crosses midnight (end <= start),
 * the part spilling into the next day. Throws on malformed times.
 */
export function splitInterval([startText, endText]: ClockInterval): {
  sameDay: MinuteRange;
  nextDay: MinuteRange | null;
} {
  const start = parseClockTime(startText);
  const end = parseClockTime(endText);
  if (start === null || end === null) throw new Error(`malformed interval ${startText}-${endText}`);
  if (end > start) return { sameDay: [start, end], nextDay: null };
  return { sameDay: [start, MINUTES_PER_DAY], nextDay: end > 0 ? [0, end] : null };
}

function weekdayOf(day: DayNumber): number {
  return (((day + 4) % 7) + 7) % 7;
}

function yearOf(day: DayNumber): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}

/** Sorts ranges and merges the ones that overlap or touch. */
function mergeRanges(ranges: readonly MinuteRange[]): MinuteRange[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [from, to] of sorted) {
    const last = merged[merged.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
}

function clipBefore(ranges: readonly MinuteRange[], limit: number): MinuteRange[] {
  return ranges.filter(([from]) => from < limit).map(([from, to]) => [from, Math.min(to, limit)] as const);
}

// ---------------------------------------------------------------------------------------------
// Time-zone offsets
// ---------------------------------------------------------------------------------------------

/** Offset (local minus UTC, in ms) during one UTC day, with at most one transition inside it. */
interface DayOffsets {
  readonly before: number;
  readonly transitionAt: number;
  readonly after: number;
}

interface ZoneOffsets {
  readonly at: (instant: number) => number;
}

const zoneOffsetsCache = new Map<string, ZoneOffsets>();

function zoneOffsets(timeZone: string): ZoneOffsets {
  let offsets = zoneOffsetsCache.get(timeZone);
  if (!offsets) {
    offsets = createZoneOffsets(timeZone);
    zoneOffsetsCache.set(timeZone, offsets);
  }
  return offsets;
}

/**
 * Offsets come from Intl (a few µs per call), so they are cached per UTC day: the offsets at both
 * ends of the day are sampled and, if they differ, the transition is located to the second by
 * bisection. Real zones never change offset twice within one day.
 */
function createZoneOffsets(timeZone: string): ZoneOffsets {
  const formatter = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
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
    for (const part of formatter.formatToParts(instant)) fields[part.type] = Number(part.value);
    const { year = NaN, month = NaN, day = NaN, hour = NaN, minute = NaN, second = NaN } = fields;
    const wholeSecond = Math.floor(instant / SECOND_MS) * SECOND_MS;
    return Date.UTC(year, month - 1, day, hour, minute, second) - wholeSecond;
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
    days.set(utcDay, offsets);
    return offsets;
  };

  return {
    at(instant) {
      const { before, transitionAt, after } = offsetsOfDay(Math.floor(instant / DAY_MS));
      return instant < transitionAt ? before : after;
    },
  };
}

/**
 * The earliest instant at which the local clock reads `wall` (local time expressed as ms since
 * the epoch, as if it were UTC) or later. For a time repeated at a fall-back transition that is its
 * first occurrence; for a time skipped at a spring-forward transition it is the transition itself.
 * This keeps the mapping monotone, so local intervals never turn into negative spans.
 */
function wallTimeToInstant(offsets: ZoneOffsets, wall: number): number {
  const withOffsetBefore = wall - offsets.at(wall - DAY_MS);
  const withOffsetAfter = wall - offsets.at(wall + DAY_MS);
  const earlier = Math.min(withOffsetBefore, withOffsetAfter);
  const later = Math.max(withOffsetBefore, withOffsetAfter);
  if (earlier + offsets.at(earlier) === wall) return earlier;
  if (later + offsets.at(later) === wall) return later;
  return firstChangeAfter(offsets, earlier, later);
}

/** The instant in (from, to] at which the offset first differs from the one at `from`. */
function firstChangeAfter(offsets: ZoneOffsets, from: number, to: number): number {
  const offsetAtFrom = offsets.at(from);
  let lo = from;
  let hi = to;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (offsets.at(mid) === offsetAtFrom) lo = mid;
    else hi = mid;
  }
  return hi;
}

function localDayOf(offsets: ZoneOffsets, instant: number): DayNumber {
  return Math.floor((instant + offsets.at(instant)) / DAY_MS);
}

// ---------------------------------------------------------------------------------------------
// Compilation
// ---------------------------------------------------------------------------------------------

export function compileCalendar(def: CalendarDefinition): CompiledCalendar {
  const offsets = zoneOffsets(def.timeZone);
  const schedule: DaySchedule = {
    weeklyMinutes: compileWeekly(def.weekly),
    closures: new Set(def.closures.map(parseDateOrThrow)),
    extraMinutes: compileExtraOpenings(def.extraOpenings ?? []),
    holidayClosesFrom: def.holidays ? createHolidayLookup(def.holidays) : null,
  };
  const spansCache = new Map<DayNumber, readonly Span[]>();
  return {
    name: def.name,
    timeZone: def.timeZone,
    localDayOf: (instant) => localDayOf(offsets, instant),
    openSpansOn(day) {
      let spans = spansCache.get(day);
      if (!spans) {
        if (spansCache.size >= SPANS_CACHE_LIMIT) spansCache.clear();
        spans = toInstantSpans(offsets, day, openMinutesOn(schedule, day));
        spansCache.set(day, spans);
      }
      return spans;
    },
  };
}

function parseDateOrThrow(text: string): DayNumber {
  const day = parseIsoDate(text);
  if (day === null) throw new Error(`malformed date ${text}`);
  return day;
}

function compileWeekly(weekly: CalendarDefinition['weekly']): MinuteRange[][] {
  const perWeekday: MinuteRange[][] = [[], [], [], [], [], [], []];
  for (const [name, intervals] of Object.entries(weekly) as [Weekday, ClockInterval[] | undefined][]) {
    const weekday = WEEKDAY_INDEX[name];
    for (const interval of intervals ?? []) {
      const { sameDay, nextDay } = splitInterval(interval);
      perWeekday[weekday]?.push(sameDay);
      if (nextDay) perWeekday[(weekday + 1) % 7]?.push(nextDay);
    }
  }
  return perWeekday.map(mergeRanges);
}

type ExtraOpening = NonNullable<CalendarDefinition['extraOpenings']>[number];
type HolidaySource = NonNullable<CalendarDefinition['holidays']>;

function compileExtraOpenings(openings: readonly ExtraOpening[]): Map<DayNumber, MinuteRange[]> {
  const perDay = new Map<DayNumber, MinuteRange[]>();
  const add = (day: DayNumber, range: MinuteRange) => perDay.set(day, [...(perDay.get(day) ?? []), range]);
  for (const { date, intervals } of openings) {
    const day = parseDateOrThrow(date);
    for (const interval of intervals) {
      const { sameDay, nextDay } = splitInterval(interval);
      add(day, sameDay);
      if (nextDay) add(day + 1, nextDay);
    }
  }
  for (const [day, ranges] of perDay) perDay.set(day, mergeRanges(ranges));
  return perDay;
}

/**
 * Public holidays of the country (and region, which date-holidays calls "state"), loaded one year
 * at a time on first use. A holiday's local date and start time come from its `date` field; a few
 * start at noon (closing the rest of the day) and a few last several days.
 */
function createHolidayLookup(spec: HolidaySource): (day: DayNumber) => number | undefined {
  const source = spec.region
    ? new Holidays(spec.country, spec.region, { types: ['public'] })
    : new Holidays(spec.country, { types: ['public'] });
  const closesFrom = new Map<DayNumber, number>();
  const loadedYears = new Set<number>();

  const markClosed = (day: DayNumber, fromMinute: number) =>
    closesFrom.set(day, Math.min(fromMinute, closesFrom.get(day) ?? MINUTES_PER_DAY));

  const loadYear = (year: number) => {
    loadedYears.add(year);
    for (const holiday of source.getHolidays(year)) {
      if (holiday.type !== 'public') continue;
      const firstDay = parseDateOrThrow(holiday.date.slice(0, 10));
      const startMinute = parseClockTime(holiday.date.slice(11, 16)) ?? 0;
      const durationMinutes = (holiday.end.getTime() - holiday.start.getTime()) / MINUTE_MS;
      // Rounding absorbs the 23 h / 25 h length of holidays falling on DST change days.
      const dayCount = Math.max(1, Math.round((startMinute + durationMinutes) / MINUTES_PER_DAY));
      markClosed(firstDay, startMinute);
      for (let i = 1; i < dayCount; i++) markClosed(firstDay + i, 0);
    }
  };

  return (day) => {
    const year = yearOf(day);
    // A multi-day holiday starting late in December reaches into the next year.
    if (!loadedYears.has(year - 1)) loadYear(year - 1);
    if (!loadedYears.has(year)) loadYear(year);
    return closesFrom.get(day);
  };
}

const allDay = (): ClockInterval[] => [['00:00', '24:00']];

export const TWENTY_FOUR_SEVEN: CompiledCalendar = compileCalendar({
  name: '24/7',
  timeZone: 'UTC',
  weekly: { mon: allDay(), tue: allDay(), wed: allDay(), thu: allDay(), fri: allDay(), sat: allDay(), sun: allDay() },
  holidays: null,
  closures: [],
});

// ---------------------------------------------------------------------------------------------
// Open spans
// ---------------------------------------------------------------------------------------------

function openMinutesOn(schedule: DaySchedule, day: DayNumber): readonly MinuteRange[] {
  let ranges = schedule.weeklyMinutes[weekdayOf(day)] ?? [];
  if (ranges.length > 0) {
    const closesFrom = schedule.closures.has(day) ? 0 : schedule.holidayClosesFrom?.(day);
    if (closesFrom !== undefined) ranges = clipBefore(ranges, closesFrom);
  }
  const extra = schedule.extraMinutes.get(day);
  return extra ? mergeRanges([...ranges, ...extra]) : ranges;
}

function toInstantSpans(offsets: ZoneOffsets, day: DayNumber, ranges: readonly MinuteRange[]): Span[] {
  const spans: Span[] = [];
  const midnight = day * DAY_MS;
  for (const [from, to] of ranges) {
    const start = wallTimeToInstant(offsets, midnight + from * MINUTE_MS);
    const end = wallTimeToInstant(offsets, midnight + to * MINUTE_MS);
    // A range inside a spring-forward gap collapses to nothing.
    if (end > start) spans.push([start, end]);
  }
  return spans;
}

/**
 * Open spans ending after `from`, in order and clipped to start no earlier than `from`. Throws
 * once it has walked more than three years without finding any open time.
 */
function* openSpansAfter(cal: CompiledCalendar, from: number): Generator<Span, never> {
  const firstDay = cal.localDayOf(from);
  let lastDayWithOpenTime = firstDay;
  for (let day = firstDay; ; day++) {
    const spans = cal.openSpansOn(day);
    if (spans.length > 0) lastDayWithOpenTime = day;
    else if (day - lastDayWithOpenTime > MAX_CLOSED_DAYS) {
      throw new Error(`calendar "${cal.name}" has no open time within 3 years after ${new Date(from).toISOString()}`);
    }
    for (const [start, end] of spans) {
      if (end > from) yield [Math.max(start, from), end];
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Public API (a null calendar means 24/7)
// ---------------------------------------------------------------------------------------------

export function isOpen(cal: CompiledCalendar | null, at: Date): boolean {
  if (!cal) return true;
  const instant = at.getTime();
  const day = cal.localDayOf(instant);
  // The next day is checked too: where clocks fall back at midnight, its spans start while the
  // local date still reads `day`.
  const candidates = [...cal.openSpansOn(day), ...cal.openSpansOn(day + 1)];
  return candidates.some(([start, end]) => start <= instant && instant < end);
}

/** The earliest instant at or after `at` at which the calendar is open (`at` itself if open). */
export function nextOpening(cal: CompiledCalendar | null, at: Date): Date {
  return addBusinessMinutes(cal, at, 0);
}

/** Open time in [start, end), in minutes (fractional, millisecond precision); 0 if end <= start. */
export function businessMinutesBetween(cal: CompiledCalendar | null, start: Date, end: Date): number {
  const from = start.getTime();
  const to = end.getTime();
  if (to <= from) return 0;
  if (!cal) return (to - from) / MINUTE_MS;
  let openMs = 0;
  const lastDay = cal.localDayOf(to) + 1;
  for (let day = cal.localDayOf(from); day <= lastDay; day++) {
    for (const [spanStart, spanEnd] of cal.openSpansOn(day)) {
      openMs += Math.max(0, Math.min(spanEnd, to) - Math.max(spanStart, from));
    }
  }
  return openMs / MINUTE_MS;
}

/**
 * The instant at which `minutes` of open time (rounded to whole milliseconds) have elapsed after
 * `start`. Counting begins at the next opening if `start` is in closed time; with 0 minutes the
 * result is the next opening (or `start` itself if open).
 */
export function addBusinessMinutes(cal: CompiledCalendar | null, start: Date, minutes: number): Date {
  if (!Number.isFinite(minutes) || minutes < 0) {
    throw new RangeError(`minutes must be a finite number >= 0, got ${minutes}`);
  }
  let remainingMs = Math.round(minutes * MINUTE_MS);
  if (!cal) return new Date(start.getTime() + remainingMs);
  const spans = openSpansAfter(cal, start.getTime());
  for (;;) {
    const [spanStart, spanEnd] = spans.next().value;
    if (remainingMs <= spanEnd - spanStart) return new Date(spanStart + remainingMs);
    remainingMs -= spanEnd - spanStart;
  }
}
