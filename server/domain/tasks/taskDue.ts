/**
 * A task's due instant, in business time like an SLA due time: "in N business hours" counts only the open
 * hours of the conversation's calendar (its service level's, else its channel's; none: 24/7), and a date means
 * the close of business that day in the calendar's zone (the next open day's close when that day is closed).
 * An explicit instant is taken as it is. The stored value is always an instant.
 */
import { addBusinessMinutes, type CompiledCalendar } from '../sla/businessTime';
import { DAY_MS, wallToInstant } from '../time/zonedTime';

export type DueSpec = { kind: 'at'; at: Date } | { kind: 'businessHours'; hours: number } | { kind: 'date'; day: number };

/** How far ahead a closed stretch (holidays, a closed week) is looked past for the next open day. */
const MAX_CLOSED_DAYS = 366;

export function dueInstant(cal: CompiledCalendar | null, spec: DueSpec, now: Date, fallbackZone: string): Date {
  if (spec.kind === 'at') return spec.at;
  if (spec.kind === 'businessHours') return addBusinessMinutes(cal, now, spec.hours * 60);
  return closeOfBusiness(cal, spec.day, fallbackZone);
}

/** The end of the last open span on local date `day` (or on the next date that has one); midnight for 24/7. */
export function closeOfBusiness(cal: CompiledCalendar | null, day: number, fallbackZone: string): Date {
  if (!cal) return new Date(wallToInstant(fallbackZone, (day + 1) * DAY_MS));
  for (let d = day; d <= day + MAX_CLOSED_DAYS; d++) {
    const spans = cal.openSpansOn(d);
    if (spans.length > 0) return new Date(spans[spans.length - 1]![1]);
  }
  throw new RangeError(`calendar "${cal.name}" has no open time within a year after the due date`);
}
