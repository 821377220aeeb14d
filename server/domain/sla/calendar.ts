import Holidays from 'date-holidays';
import { z } from 'zod';
import { isValidTimeZone, parseIsoDate } from '../time/zonedTime';
import { parseClockTime, splitInterval, type ClockInterval } from './clockTime';

/**
 * Business-hours calendar definitions and their validation. Every custom issue message starts
 * with the place it concerns, e.g. `weekly.mon: intervals 09:00-12:00 and 11:00-13:00 overlap`.
 */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export type { ClockInterval };

/** Two opening hours of one day that overlap, for the console to word in the user's language. */
export type CalendarOverlap = { weekday?: Weekday; date?: string; first: string; second: string };

type IssueSink = (message: string, path: (string | number)[], overlap?: CalendarOverlap) => void;

const reportTo =
  (ctx: z.RefinementCtx): IssueSink =>
  (message, path, overlap) =>
    ctx.addIssue({ code: 'custom', message, path, params: overlap ? { overlap } : undefined });

interface LabelledRange {
  readonly from: number;
  readonly to: number;
  readonly text: string;
}

interface DayPieces {
  readonly own: LabelledRange[];
  readonly spill: LabelledRange[];
}

/** Tails of intervals that crossed midnight from the previous day, named by that day. */
interface CarriedRanges {
  readonly ranges: LabelledRange[];
  readonly from: string;
}

const intervalSchema = z.tuple([z.string(), z.string()]);
const intervalListSchema = z.array(intervalSchema);

const timeZoneSchema = z.string().superRefine((timeZone, ctx) => {
  if (!isValidTimeZone(timeZone)) ctx.addIssue({ code: 'custom', message: `timeZone: unknown time zone ${timeZone}` });
});

const weeklySchema = z
  .strictObject({
    mon: intervalListSchema.optional(),
    tue: intervalListSchema.optional(),
    wed: intervalListSchema.optional(),
    thu: intervalListSchema.optional(),
    fri: intervalListSchema.optional(),
    sat: intervalListSchema.optional(),
    sun: intervalListSchema.optional(),
  })
  .superRefine((weekly, ctx) => checkWeekly(weekly, reportTo(ctx)));

const holidaysSchema = z
  .object({ country: z.string(), region: z.string().optional() })
  .nullable()
  .superRefine((holidays, ctx) => {
    const problem = holidays && holidayRegionProblem(holidays.country, holidays.region);
    if (problem) ctx.addIssue({ code: 'custom', message: `holidays: ${problem}` });
  });

const closuresSchema = z.array(z.string()).superRefine((closures, ctx) => {
  closures.forEach((date, index) => {
    if (parseIsoDate(date) === null) reportTo(ctx)(`closures[${index}]: ${invalidDate(date)}`, [index]);
  });
});

const extraOpeningsSchema = z
  .array(z.object({ date: z.string(), intervals: intervalListSchema }))
  .superRefine((openings, ctx) => checkExtraOpenings(openings, reportTo(ctx)));

export const calendarInputSchema = z.object({
  name: z.string().min(1, 'name: must not be empty'),
  timeZone: timeZoneSchema,
  weekly: weeklySchema,
  holidays: holidaysSchema,
  closures: closuresSchema,
  extraOpenings: extraOpeningsSchema.optional(),
});

export type CalendarDefinition = z.infer<typeof calendarInputSchema>;

export class CalendarValidationError extends Error {
  constructor(
    readonly problems: string[],
    readonly overlaps: CalendarOverlap[] = [],
  ) {
    super(`invalid calendar: ${problems.join('; ')}`);
    this.name = 'CalendarValidationError';
  }
}

/** Validates untrusted input; throws CalendarValidationError listing every problem. */
export function parseCalendarDefinition(input: unknown): CalendarDefinition {
  const result = calendarInputSchema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues;
  throw new CalendarValidationError(
    issues.map((issue) => (issue.code === 'custom' ? issue.message : `${formatPath(issue.path)}: ${issue.message}`)),
    issues.flatMap((issue) => (issue.code === 'custom' && issue.params?.overlap ? [issue.params.overlap as CalendarOverlap] : [])),
  );
}

function formatPath(path: PropertyKey[]): string {
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i > 0 ? '.' : ''}${String(key)}`)).join('');
}

let holidayDirectory: Holidays | undefined;

function holidayRegionProblem(country: string, region: string | undefined): string | null {
  holidayDirectory ??= new Holidays();
  if (!Object.hasOwn(holidayDirectory.getCountries(), country)) return `unknown country "${country}"`;
  if (region === undefined) return null;
  const regions = holidayDirectory.getStates(country) ?? {};
  return Object.hasOwn(regions, region) ? null : `unknown region "${region}" for country ${country}`;
}

/**
 * Checks each interval's syntax and splits the valid ones into their own-day part and the part
 * spilling past midnight. Problems are reported as `${label}: ...`.
 */
function splitLabelledIntervals(label: string, intervals: ClockInterval[], report: IssueSink, path: (string | number)[]): DayPieces {
  const pieces: DayPieces = { own: [], spill: [] };
  intervals.forEach((interval, index) => {
    const [startText, endText] = interval;
    const text = `${startText}-${endText}`;
    const problem = intervalProblem(startText, endText);
    if (problem) {
      report(`${label}: ${problem}`, [...path, index]);
      return;
    }
    const { sameDay, nextDay } = splitInterval(interval);
    pieces.own.push({ from: sameDay[0], to: sameDay[1], text });
    if (nextDay) pieces.spill.push({ from: nextDay[0], to: nextDay[1], text });
  });
  return pieces;
}

function invalidDate(date: string): string {
  return `invalid date "${date}" (expected YYYY-MM-DD)`;
}

function intervalProblem(startText: string, endText: string): string | null {
  for (const time of [startText, endText]) {
    if (parseClockTime(time) === null) return `malformed time "${time}" (expected HH:MM from 00:00 to 24:00)`;
  }
  if (startText === '24:00') return `interval ${startText}-${endText} cannot start at 24:00`;
  if (startText === endText) return `interval ${startText}-${endText} has zero length`;
  return null;
}

/** The first pair of ranges that overlap, in start order. */
function findOverlap(ranges: LabelledRange[]): [LabelledRange, LabelledRange] | null {
  const sorted = [...ranges].sort((a, b) => a.from - b.from);
  let reachingFurthest: LabelledRange | undefined;
  for (const range of sorted) {
    if (reachingFurthest && range.from < reachingFurthest.to) return [reachingFurthest, range];
    if (!reachingFurthest || range.to > reachingFurthest.to) reachingFurthest = range;
  }
  return null;
}

function reportOverlap(
  label: string,
  own: LabelledRange[],
  carried: CarriedRanges,
  report: IssueSink,
  path: (string | number)[],
  day: Pick<CalendarOverlap, 'weekday' | 'date'>,
): void {
  const describe = (range: LabelledRange) => (carried.ranges.includes(range) ? `${range.text} (from ${carried.from})` : range.text);
  const overlap = findOverlap([...carried.ranges, ...own]);
  if (overlap) {
    const [first, second] = [describe(overlap[0]), describe(overlap[1])];
    report(`${label}: intervals ${first} and ${second} overlap`, path, { ...day, first, second });
  }
}

function checkWeekly(weekly: Partial<Record<Weekday, ClockInterval[]>>, report: IssueSink): void {
  const pieces = WEEKDAYS.map((day) => splitLabelledIntervals(`weekly.${day}`, weekly[day] ?? [], report, [day]));
  WEEKDAYS.forEach((day, index) => {
    const previousIndex = (index + 6) % 7;
    const carried = { ranges: pieces[previousIndex]?.spill ?? [], from: WEEKDAYS[previousIndex] ?? '' };
    reportOverlap(`weekly.${day}`, pieces[index]?.own ?? [], carried, report, [day], { weekday: day });
  });
}

function checkExtraOpenings(openings: { date: string; intervals: ClockInterval[] }[], report: IssueSink): void {
  const byDay = new Map<number, { date: string; index: number; pieces: DayPieces }>();
  openings.forEach(({ date, intervals }, index) => {
    const day = parseIsoDate(date);
    if (day === null) {
      report(`extraOpenings[${index}]: ${invalidDate(date)}`, [index, 'date']);
    } else if (byDay.has(day)) {
      report(`extraOpenings[${date}]: date listed more than once`, [index, 'date']);
    } else {
      const pieces = splitLabelledIntervals(`extraOpenings[${date}]`, intervals, report, [index, 'intervals']);
      byDay.set(day, { date, index, pieces });
    }
  });
  for (const [day, { date, index, pieces }] of byDay) {
    const previous = byDay.get(day - 1);
    const carried = { ranges: previous?.pieces.spill ?? [], from: previous?.date ?? '' };
    reportOverlap(`extraOpenings[${date}]`, pieces.own, carried, report, [index, 'intervals'], { date });
  }
}
