/** A task's due instant in business time: N business hours of the case calendar, or the close of business on a date. */
import fc from 'fast-check';
import { businessMinutesBetween, compileCalendar, isOpen } from '../../../server/domain/sla/businessTime';
import { parseCalendarDefinition } from '../../../server/domain/sla/calendar';
import { closeOfBusiness, dueInstant } from '../../../server/domain/tasks/taskDue';
import { DAY_MS, localDayOf, parseIsoDate, wallToInstant } from '../../../server/domain/time/zonedTime';

const ZONE = 'Europe/Berlin';
const officeHours = compileCalendar(
  parseCalendarDefinition({
    name: 'Büro',
    timeZone: ZONE,
    weekly: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '13:00']] },
    holidays: { country: 'DE', region: 'BE' },
    closures: [],
  }),
);
const at = (local: string) => new Date(wallToInstant(ZONE, Date.parse(`${local}Z`)));

describe('dueInstant', () => {
  it('when a task is due in 4 business hours on a Thursday at 15:00, then it is due Friday at 11:00', () => {
    expect(dueInstant(officeHours, { kind: 'businessHours', hours: 4 }, at('2026-12-03T15:00:00'), ZONE)).toEqual(at('2026-12-04T11:00:00'));
  });

  it('when a task is due on a date, then it is due at that day’s close of business; on a holiday, at the next open day’s', () => {
    expect(dueInstant(officeHours, { kind: 'date', day: parseIsoDate('2026-12-04')! }, at('2026-12-03T15:00:00'), ZONE)).toEqual(at('2026-12-04T13:00:00'));
    // 24-27 December: Christmas Eve is open, 25 and 26 are holidays, 27 is a Sunday
    expect(closeOfBusiness(officeHours, parseIsoDate('2026-12-25')!, ZONE)).toEqual(at('2026-12-28T17:00:00'));
    // without a calendar (24/7): midnight at the end of the date, in the fallback zone
    expect(closeOfBusiness(null, parseIsoDate('2026-12-25')!, ZONE)).toEqual(at('2026-12-26T00:00:00'));
  });

  it('when a task is due in N business hours from any instant, then exactly N hours of open time lie between now and the due time', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2026-01-01'), max: new Date('2028-12-31'), noInvalidDate: true }),
        fc.integer({ min: 1, max: 200 }),
        (now, hours) => {
          const due = dueInstant(officeHours, { kind: 'businessHours', hours }, now, ZONE);
          expect(due.getTime()).toBeGreaterThan(now.getTime());
          expect(businessMinutesBetween(officeHours, now, due)).toBeCloseTo(hours * 60, 6);
        },
      ),
    );
  });

  it('when a task is due on any date, then it is due at the end of an open span, with no open time left on that local date, and never before the date', () => {
    fc.assert(
      fc.property(fc.integer({ min: parseIsoDate('2026-01-01')!, max: parseIsoDate('2028-12-31')! }), (day) => {
        const due = closeOfBusiness(officeHours, day, ZONE);
        const lastOpen = new Date(due.getTime() - 1);
        expect(isOpen(officeHours, lastOpen)).toBe(true);
        const dueDay = localDayOf(ZONE, lastOpen.getTime());
        expect(dueDay).toBeGreaterThanOrEqual(day);
        expect(businessMinutesBetween(officeHours, due, new Date(wallToInstant(ZONE, (dueDay + 1) * DAY_MS)))).toBe(0);
        // the days from the date up to the due day had no open time at all
        expect(businessMinutesBetween(officeHours, new Date(wallToInstant(ZONE, day * DAY_MS)), new Date(wallToInstant(ZONE, dueDay * DAY_MS)))).toBe(0);
      }),
    );
  });
});
