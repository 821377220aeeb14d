/**
 * "Save for later" presets of the inbox's bulk actions: in one hour, tomorrow at 09:00, next Monday at 09:00 —
 * wall times in the user's time zone (09:00 stays 09:00 across a daylight-saving change).
 */
import { DAY_MS, HOUR_MS, localDayOf, wallToInstant } from '../time/zonedTime';

export const SNOOZE_PRESETS = ['in1h', 'tomorrow9', 'monday9'] as const;
export type SnoozePreset = (typeof SNOOZE_PRESETS)[number];

const NINE_AM = 9 * HOUR_MS;

/** When a conversation saved with the preset at `now` is due again. Always later than `now`. */
export function snoozeUntil(preset: SnoozePreset, now: Date, timeZone: string): Date {
  if (preset === 'in1h') return new Date(now.getTime() + HOUR_MS);
  const today = localDayOf(timeZone, now.getTime());
  // Day numbers count from Thursday 1970-01-01: (day + 3) mod 7 is 0 on a Monday.
  const weekday = (((today + 3) % 7) + 7) % 7;
  const days = preset === 'tomorrow9' ? 1 : 7 - weekday; // from a Monday: the next one
  return new Date(wallToInstant(timeZone, (today + days) * DAY_MS + NINE_AM));
}
