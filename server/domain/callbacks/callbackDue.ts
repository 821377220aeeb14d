/**
 * The callback's service level, pure: the visitor's time window read in the site's time zone, and when the
 * call is due. Rules (README "Callback requests"):
 * - the window is a local date within the next CALLBACK_DAYS days (today included) and a from/to time on it;
 *   it must not be over already;
 * - due = max(the window's first open instant, arrival + N business minutes): never before the window opens,
 *   and never later than the site's promise — N business minutes of the site's opening hours;
 * - the due time must lie inside the window with open time after it: otherwise the request is refused (the
 *   visitor is told the earliest time we can call, or that we are closed then), so a callback is never
 *   promised for a time nobody works. Once the window has ended without a call that reached the customer,
 *   the callback is breached (its due time was inside the window) and the case stays open for another try.
 */
import { addBusinessMinutes, type CompiledCalendar, nextOpening } from '../sla/businessTime';
import { DAY_MS, localDayOf, parseLocalDateTime, wallToInstant } from '../time/zonedTime';

/** How many local days ahead (today included) a visitor may ask to be called. */
export const CALLBACK_DAYS = 14;

export type CallbackWindow = { start: Date; end: Date };
export type WindowProblem = 'date' | 'order' | 'past';

/** The window of a local date and two clock times in `timeZone`, or what is wrong with it. */
export function callbackWindow(
  timeZone: string,
  local: { date: string; from: string; to: string },
  now: Date,
): { window: CallbackWindow } | { problem: WindowProblem } {
  const start = parseLocalDateTime(`${local.date}T${local.from}`);
  const end = parseLocalDateTime(`${local.date}T${local.to}`);
  if (start === null || end === null) return { problem: 'date' };
  const day = Math.floor(start / DAY_MS);
  const today = localDayOf(timeZone, now.getTime());
  if (day < today || day >= today + CALLBACK_DAYS) return { problem: 'date' };
  if (end <= start) return { problem: 'order' };
  const window = { start: new Date(wallToInstant(timeZone, start)), end: new Date(wallToInstant(timeZone, end)) };
  // a skipped spring hour can fold the two times onto one instant
  if (window.end <= window.start) return { problem: 'order' };
  if (window.end <= now) return { problem: 'past' };
  return { window };
}

export type CallbackDue = { dueAt: Date; warnAt: Date };
export type DueProblem = { problem: 'tooEarly'; earliest: Date } | { problem: 'closed' };

/**
 * When the callback is due (see the module comment), with its warning the last (100 − `warnAtPercent`) % of the N
 * minutes before it (also when the window's start decides: the call is coming up), never before arrival; or why
 * the window cannot be kept. `cal` null: open around the clock.
 */
export function callbackDue(
  cal: CompiledCalendar | null,
  arrival: Date,
  minutes: number,
  window: CallbackWindow,
  warnAtPercent: number,
): CallbackDue | DueProblem {
  const promised = addBusinessMinutes(cal, arrival, minutes);
  const opens = nextOpening(cal, window.start);
  if (opens >= window.end) return { problem: 'closed' };
  const dueAt = new Date(Math.max(promised.getTime(), opens.getTime()));
  if (dueAt >= window.end) return { problem: 'tooEarly', earliest: promised };
  const lead = ((minutes * (100 - warnAtPercent)) / 100) * 60_000;
  return { dueAt, warnAt: new Date(Math.max(arrival.getTime(), dueAt.getTime() - lead)) };
}
