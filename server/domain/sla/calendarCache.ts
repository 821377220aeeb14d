/**
 * Compiled calendars, cached per calendar id and version (updated_at): compiling costs
 * milliseconds and ingest is a hot path. An edited calendar gets a new key; old keys age out.
 */
import { compileCalendar, type CompiledCalendar } from './businessTime';
import { parseCalendarDefinition } from './calendar';

const LIMIT = 200;
const cache = new Map<string, CompiledCalendar>();

export type StoredCalendar = { calendarId: string | null; calendarDefinition: unknown; calendarUpdatedAt: Date | null };

/** The compiled calendar of a policy row; null (24/7) when the policy has no calendar. */
export function compiledCalendarOf(row: StoredCalendar): CompiledCalendar | null {
  if (!row.calendarId || !row.calendarDefinition || !row.calendarUpdatedAt) return null;
  const key = `${row.calendarId}@${row.calendarUpdatedAt.getTime()}`;
  let compiled = cache.get(key);
  if (!compiled) {
    if (cache.size >= LIMIT) cache.delete(cache.keys().next().value!);
    compiled = compileCalendar(parseCalendarDefinition(row.calendarDefinition));
    cache.set(key, compiled);
  }
  return compiled;
}
