import Holidays from 'date-holidays';
import { civilOf, DAY_MS, dayNumberOf, localDayOf, MINUTE_MS, parseIsoDate, wallToInstant } from '../time/zonedTime';
import type { CalendarDefinition, Weekday } from './calendar';
import { MINUTES_PER_DAY, parseClockTime, splitInterval, type ClockInterval, type MinuteRange } from './clockTime';

/**
 * Business-time arithmetic for SLA timing.
 *
 * A calendar is open during half-open spans [start, end) of real time. Spans are derived per local
 * date: the weekly intervals of that weekday (plus the tail of a previous day's interval crossing
 * midnight), cut short by a closure or public holiday, plus any extra openings for that date.
 * Local wall times become instants through the one time-zone module (domain/time/zonedTime.ts): a
 * repeated autumn hour counts once (its first occurrence), a skipped spring hour not at all, so an
 * interval 01:00-04:00 lasts 2 h on a spring-forward day and 4 h on a fall-back day.
 *
 * Every walk over local days is bounded by construction: at most MAX_WALK_DAYS + 2 days, whatever
 * instants it is given (a post dated 9999 or 0001, a row stored before ingest checked post times).
 * Beyond that window the answer is extrapolated at the window's open share:
 * - businessMinutesBetween(a, b) over a span longer than MAX_WALK_DAYS days counts the first
 *   MAX_WALK_DAYS days exactly and the rest at the open share of those days;
 * - addBusinessMinutes(a, m), when those days hold fewer than m open minutes, lands after them at
 *   that same rate, so businessMinutesBetween(a, addBusinessMinutes(a, m)) is m again.
 * SLA targets are at most a year of business minutes, which a calendar open 40 h a week reaches
 * within about 1 530 days, so the clocks of real posts stay inside the window and are exact.
 */

/** The most local days a walk visits, plus the partial days at both ends (about 5.5 years). */
export const MAX_WALK_DAYS = 2_000;
const WINDOW_MS = MAX_WALK_DAYS * DAY_MS;
/** A calendar without open time for this many days after its last opening counts as never open. */
const MAX_CLOSED_DAYS = 3 * 366;
/** Dates whose open spans a compiled calendar keeps; the cache is simply emptied when full. */
const SPANS_CACHE_LIMIT = 10_000;
/** The instants a JavaScript Date can hold. */
const MAX_INSTANT = 8.64e15;

/** A civil date counted in days since 1970-01-01 (weekday: (day + 4) mod 7, 0 = Sunday). */
type DayNumber = number;

/** Half-open span of real time [start, end) in ms since the epoch. */
type Span = readonly [start: number, end: number];

/** Called after every walk over local days with the number of days it visited (tests count them). */
export type WalkObserver = (days: number) => void;
let walkObserver: WalkObserver | null = null;

/** Installs (or, with null, removes) the observer of walk lengths. */
export function observeWalks(observer: WalkObserver | null): void {
  walkObserver = observer;
}

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
// Civil dates and minute ranges
// ---------------------------------------------------------------------------------------------

function weekdayOf(day: DayNumber): number {
  return (((day + 4) % 7) + 7) % 7;
}

function yearOf(day: DayNumber): number {
  return civilOf(day).year;
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
// Compilation
// ---------------------------------------------------------------------------------------------

export function compileCalendar(def: CalendarDefinition): CompiledCalendar {
  const { timeZone } = def;
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
    localDayOf: (instant) => localDayOf(timeZone, instant),
    openSpansOn(day) {
      let spans = spansCache.get(day);
      if (!spans) {
        if (spansCache.size >= SPANS_CACHE_LIMIT) spansCache.clear();
        spans = toInstantSpans(timeZone, day, openMinutesOn(schedule, day));
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
  const source = spec.region ? new Holidays(spec.country, spec.region, { types: ['public'] }) : new Holidays(spec.country, { types: ['public'] });
  const closesFrom = new Map<DayNumber, number>();
  const loadedYears = new Set<number>();

  const markClosed = (day: DayNumber, fromMinute: number) => closesFrom.set(day, Math.min(fromMinute, closesFrom.get(day) ?? MINUTES_PER_DAY));

  const loadYear = (year: number) => {
    loadedYears.add(year);
    // The holiday rules are made for the years people live in; absurd years (only reached by absurd
    // instants) have none.
    if (year < 1583 || year > 9999) return;
    for (const holiday of source.getHolidays(year)) {
      if (holiday.type !== 'public') continue;
      const match = /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}:\d{2}))?/.exec(holiday.date);
      if (!match) continue;
      const firstDay = dayNumberOf(Number(match[1]), Number(match[2]), Number(match[3]));
      const startMinute = parseClockTime(match[4] ?? '') ?? 0;
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

function toInstantSpans(timeZone: string, day: DayNumber, ranges: readonly MinuteRange[]): Span[] {
  const spans: Span[] = [];
  const midnight = day * DAY_MS;
  for (const [from, to] of ranges) {
    const start = wallToInstant(timeZone, midnight + from * MINUTE_MS);
    const end = wallToInstant(timeZone, midnight + to * MINUTE_MS);
    // A range inside a spring-forward gap collapses to nothing.
    if (end > start) spans.push([start, end]);
  }
  return spans;
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
  walkObserver?.(2);
  return candidates.some(([start, end]) => start <= instant && instant < end);
}

/**
 * The open spans of [from, to) as [start, end) instants in ms, clipped to it, in order (reports filter by them).
 * Visits at most MAX_WALK_DAYS + 2 local days: a longer range is cut there.
 */
export function openSpansBetween(cal: CompiledCalendar, from: Date, to: Date): Span[] {
  const a = from.getTime();
  const b = to.getTime();
  if (!(b > a)) return [];
  const firstDay = cal.localDayOf(a);
  // +1: where clocks fall back at midnight, a day's spans start while the previous local date still reads.
  const lastDay = Math.min(cal.localDayOf(b) + 1, firstDay + MAX_WALK_DAYS + 1);
  const spans: Span[] = [];
  for (let day = firstDay; day <= lastDay; day++) {
    for (const [start, end] of cal.openSpansOn(day)) {
      if (end > a && start < b) spans.push([Math.max(start, a), Math.min(end, b)]);
    }
  }
  walkObserver?.(lastDay - firstDay + 1);
  return spans;
}

/** The earliest instant at or after `at` at which the calendar is open (`at` itself if open). */
export function nextOpening(cal: CompiledCalendar | null, at: Date): Date {
  return addBusinessMinutes(cal, at, 0);
}

/**
 * Open time in [start, end), in minutes (fractional, millisecond precision); 0 if end <= start. Over a
 * span longer than MAX_WALK_DAYS days, the part beyond the first MAX_WALK_DAYS days counts at their
 * open share (see the module comment).
 */
export function businessMinutesBetween(cal: CompiledCalendar | null, start: Date, end: Date): number {
  const from = start.getTime();
  const to = end.getTime();
  if (!(to > from)) return 0;
  if (!cal) return (to - from) / MINUTE_MS;
  const exactTo = Math.min(to, from + WINDOW_MS);
  const openMs = openMsBetween(cal, from, exactTo);
  if (to === exactTo) return openMs / MINUTE_MS;
  return (openMs + ((to - exactTo) * openMs) / WINDOW_MS) / MINUTE_MS;
}

/** Open ms in [from, to), where to - from <= WINDOW_MS: at most MAX_WALK_DAYS + 2 local days. */
function openMsBetween(cal: CompiledCalendar, from: number, to: number): number {
  const firstDay = cal.localDayOf(from);
  // +1: where clocks fall back at midnight, a day's spans start while the previous local date still reads.
  const lastDay = Math.min(cal.localDayOf(to) + 1, firstDay + MAX_WALK_DAYS + 1);
  let openMs = 0;
  for (let day = firstDay; day <= lastDay; day++) {
    for (const [spanStart, spanEnd] of cal.openSpansOn(day)) {
      openMs += Math.max(0, Math.min(spanEnd, to) - Math.max(spanStart, from));
    }
  }
  walkObserver?.(lastDay - firstDay + 1);
  return openMs;
}

/**
 * The instant at which `minutes` of open time (rounded to whole milliseconds) have elapsed after
 * `start`. Counting begins at the next opening if `start` is in closed time; with 0 minutes the
 * result is the next opening (or `start` itself if open). Throws when the calendar has no open time
 * for three years; extrapolates beyond MAX_WALK_DAYS days (see the module comment).
 */
export function addBusinessMinutes(cal: CompiledCalendar | null, start: Date, minutes: number): Date {
  if (!Number.isFinite(minutes) || minutes < 0) {
    throw new RangeError(`minutes must be a finite number >= 0, got ${minutes}`);
  }
  let remainingMs = Math.round(minutes * MINUTE_MS);
  const from = start.getTime();
  if (!cal) return clampedDate(from + remainingMs);
  const limit = from + WINDOW_MS;
  const firstDay = cal.localDayOf(from);
  const lastDay = firstDay + MAX_WALK_DAYS + 1;
  let lastDayWithOpenTime = firstDay;
  let openMs = 0;
  let day = firstDay;
  try {
    for (; day <= lastDay; day++) {
      const spans = cal.openSpansOn(day);
      if (spans.length > 0) lastDayWithOpenTime = day;
      else if (day - lastDayWithOpenTime > MAX_CLOSED_DAYS) {
        throw new Error(`calendar "${cal.name}" has no open time within 3 years after ${start.toISOString()}`);
      }
      for (const [spanStart, spanEnd] of spans) {
        const open = Math.max(spanStart, from);
        const close = Math.min(spanEnd, limit);
        if (close <= open) continue;
        if (remainingMs <= close - open) return new Date(open + remainingMs);
        remainingMs -= close - open;
        openMs += close - open;
      }
    }
  } finally {
    walkObserver?.(Math.min(day, lastDay) - firstDay + 1);
  }
  // The window holds fewer open minutes than asked for (and some: three closed years would have thrown).
  return clampedDate(limit + Math.round((remainingMs * WINDOW_MS) / openMs));
}

function clampedDate(instant: number): Date {
  return new Date(Math.max(-MAX_INSTANT, Math.min(MAX_INSTANT, instant)));
}
