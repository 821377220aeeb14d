/**
 * Which summary a scheduled report e-mail sends: the last complete period in the subscriber's time zone —
 * yesterday (daily), last week Monday to Sunday (weekly), last month (monthly) — named by a key
 * ('2026-12-02', 'W2026-11-23', '2026-11') — and whether it is due: only from the local send hour on, so
 * the e-mail arrives in the subscriber's morning.
 */
import type { ReportFrequency } from '../../db/schema';
import { addDays, HOUR_MS, instantToWall, localDate } from '../time/zonedTime';

export type ReportPeriod = { key: string; fromDate: string; toDate: string };

const weekdayOf = (date: string) => (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6

export function lastCompletePeriod(frequency: ReportFrequency, timeZone: string, now: Date): ReportPeriod {
  const today = localDate(timeZone, now);
  if (frequency === 'daily') {
    const day = addDays(today, -1);
    return { key: day, fromDate: day, toDate: day };
  }
  if (frequency === 'weekly') {
    const monday = addDays(today, -weekdayOf(today) - 7);
    return { key: `W${monday}`, fromDate: monday, toDate: addDays(monday, 6) };
  }
  const lastOfPrevious = addDays(`${today.slice(0, 8)}01`, -1);
  return { key: lastOfPrevious.slice(0, 7), fromDate: `${lastOfPrevious.slice(0, 8)}01`, toDate: lastOfPrevious };
}

/** The local hour (0–23) of an instant. */
export const localHour = (timeZone: string, now: Date) =>
  Math.floor((((instantToWall(timeZone, now.getTime()) % 86_400_000) + 86_400_000) % 86_400_000) / HOUR_MS);

/** The period to send now, or null: before the send hour, or when that period was sent already. */
export function duePeriod(s: { frequency: ReportFrequency; timeZone: string; sendHour: number; lastPeriod: string | null }, now: Date): ReportPeriod | null {
  if (localHour(s.timeZone, now) < s.sendHour) return null;
  const period = lastCompletePeriod(s.frequency, s.timeZone, now);
  return period.key === s.lastPeriod ? null : period;
}
