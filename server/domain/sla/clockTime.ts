/**
 * Clock times of business hours: "HH:MM" strings and intervals that may cross midnight. Shared by the
 * calendar definitions (calendar.ts, validation) and the arithmetic (businessTime.ts); imports nothing,
 * so neither of those two depends on the other for it.
 */

export const MINUTES_PER_DAY = 1_440;

/**
 * ["HH:MM", "HH:MM"]; the end may be "24:00", and an end before the start means the interval
 * crosses midnight (e.g. ["22:00", "06:00"]).
 */
export type ClockInterval = [start: string, end: string];

/** Minutes after local midnight: [from, to) with 0 <= from < to <= 1440. */
export type MinuteRange = readonly [from: number, to: number];

/** Parses "HH:MM" (00:00-23:59, or 24:00) into minutes after midnight; null if malformed. */
export function parseClockTime(text: string): number | null {
  if (text === '24:00') return MINUTES_PER_DAY;
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/**
 * Splits an interval into the part on its own day and, when it crosses midnight (end <= start),
 * the part spilling into the next day. Throws on malformed times.
 */
export function splitInterval([startText, endText]: ClockInterval): { sameDay: MinuteRange; nextDay: MinuteRange | null } {
  const start = parseClockTime(startText);
  const end = parseClockTime(endText);
  if (start === null || end === null) throw new Error(`malformed interval ${startText}-${endText}`);
  if (end > start) return { sameDay: [start, end], nextDay: null };
  return { sameDay: [start, MINUTES_PER_DAY], nextDay: end > 0 ? [0, end] : null };
}
