import fc from 'fast-check';
import { CALLBACK_DAYS, callbackDue, callbackWindow, type CallbackDue } from '../../../server/domain/callbacks/callbackDue';
import { e164Of } from '../../../server/domain/callbacks/phoneNumber';
import { addBusinessMinutes, businessMinutesBetween, compileCalendar } from '../../../server/domain/sla/businessTime';
import { parseCalendarDefinition } from '../../../server/domain/sla/calendar';

// 2026-12-07 is a Monday; Berlin is at +01:00 in December.
const at = (iso: string) => new Date(iso);
const NINE_TO_FIVE = compileCalendar(
  parseCalendarDefinition({
    name: 'shop',
    timeZone: 'Europe/Berlin',
    weekly: Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['09:00', '17:00']]])),
    holidays: null,
    closures: [],
  }),
);
const window = (date: string, from: string, to: string, now: Date) => {
  const w = callbackWindow('Europe/Berlin', { date, from, to }, now);
  if (!('window' in w)) throw new Error(`no window: ${w.problem}`);
  return w.window;
};
const due = (r: ReturnType<typeof callbackDue>) => {
  if ('problem' in r) throw new Error(`no due: ${r.problem}`);
  return r;
};

describe('the callback window', () => {
  const now = at('2026-12-07T20:00:00+01:00');

  it('when the visitor names a date and two times, then they are read in the site time zone', () => {
    expect(window('2026-12-08', '10:00', '12:00', now)).toEqual({ start: at('2026-12-08T10:00:00+01:00'), end: at('2026-12-08T12:00:00+01:00') });
  });

  it('when the date is before today, 14 days ahead or later, not a real date or absurd, then it is refused as a date', () => {
    for (const date of ['2026-12-06', '2026-12-21', '2027-12-07', '2026-02-30', '9999-12-31', '0000-01-01', '2026-13-01', '+02026-12-08']) {
      expect(callbackWindow('Europe/Berlin', { date, from: '10:00', to: '12:00' }, now)).toEqual({ problem: 'date' });
    }
    expect('window' in callbackWindow('Europe/Berlin', { date: '2026-12-20', from: '10:00', to: '12:00' }, now)).toBe(true);
    expect(CALLBACK_DAYS).toBe(14);
  });

  it('when the window ends before it starts, or is over already, then it is refused as such', () => {
    expect(callbackWindow('Europe/Berlin', { date: '2026-12-08', from: '12:00', to: '12:00' }, now)).toEqual({ problem: 'order' });
    expect(callbackWindow('Europe/Berlin', { date: '2026-12-07', from: '10:00', to: '12:00' }, now)).toEqual({ problem: 'past' });
  });

  it('when the site is in another zone, then its local today decides (23:30 in Berlin is already tomorrow in Tokyo)', () => {
    const late = at('2026-12-07T23:30:00+01:00');
    expect(callbackWindow('Asia/Tokyo', { date: '2026-12-07', from: '10:00', to: '12:00' }, late)).toEqual({ problem: 'date' });
    expect('window' in callbackWindow('Asia/Tokyo', { date: '2026-12-08', from: '10:00', to: '12:00' }, late)).toBe(true);
  });
});

describe('when a callback is due', () => {
  it('when the window opens after the promised minutes, then the call is due when it opens', () => {
    const arrival = at('2026-12-07T20:00:00+01:00'); // closed: the promise runs from 09:00 the next day
    const r = due(callbackDue(NINE_TO_FIVE, arrival, 60, window('2026-12-08', '14:00', '16:00', arrival), 80));
    expect(r.dueAt).toEqual(at('2026-12-08T14:00:00+01:00'));
    expect(r.warnAt).toEqual(at('2026-12-08T13:48:00+01:00')); // the call is coming up
  });

  it('when the window is open already, then the call is due N business minutes after arrival (counted from opening time)', () => {
    const arrival = at('2026-12-07T20:00:00+01:00');
    const r = due(callbackDue(NINE_TO_FIVE, arrival, 60, window('2026-12-08', '08:00', '12:00', arrival), 80));
    expect(r.dueAt).toEqual(at('2026-12-08T10:00:00+01:00'));
    expect(r.warnAt).toEqual(at('2026-12-08T09:48:00+01:00')); // the last 20 % of the hour before it
  });

  it('when the window starts in closed time, then the call is due at the first opening inside it, not before', () => {
    const arrival = at('2026-12-06T12:00:00+01:00'); // Sunday
    const r = due(callbackDue(NINE_TO_FIVE, arrival, 5, window('2026-12-07', '07:00', '10:00', arrival), 80));
    expect(r.dueAt).toEqual(at('2026-12-07T09:05:00+01:00'));
    const later = due(callbackDue(NINE_TO_FIVE, arrival, 5, window('2026-12-07', '09:30', '10:00', arrival), 80));
    expect(later.dueAt).toEqual(at('2026-12-07T09:30:00+01:00'));
  });

  it('when the window ends before the promised time, then it is refused with the earliest time we can call', () => {
    const arrival = at('2026-12-07T16:30:00+01:00'); // 30 open minutes today, 30 tomorrow
    expect(callbackDue(NINE_TO_FIVE, arrival, 60, window('2026-12-07', '16:30', '18:00', arrival), 80)).toEqual({
      problem: 'tooEarly',
      earliest: at('2026-12-08T09:30:00+01:00'),
    });
  });

  it('when the site is closed for the whole window, then it is refused as closed', () => {
    const arrival = at('2026-12-07T12:00:00+01:00');
    expect(callbackDue(NINE_TO_FIVE, arrival, 60, window('2026-12-12', '10:00', '12:00', arrival), 80)).toEqual({ problem: 'closed' }); // Saturday
    expect(callbackDue(NINE_TO_FIVE, arrival, 60, window('2026-12-08', '17:00', '19:00', arrival), 80)).toEqual({ problem: 'closed' });
  });

  it('when any arrival, window and target meet, then the due time is never before the window, never after the promise unless the window starts later, and inside the window', () => {
    const base = at('2026-12-07T00:00:00+01:00').getTime();
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 13 * 24 * 60 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 23 * 60 }),
        fc.integer({ min: 1, max: 600 }),
        fc.integer({ min: 5, max: 1440 }),
        fc.boolean(),
        (arrivalMinute, dayOffset, fromMinute, length, minutes, allDay) => {
          const cal = allDay ? null : NINE_TO_FIVE;
          const arrival = new Date(base + arrivalMinute * 60_000);
          const start = new Date(base + (dayOffset * 24 * 60 + fromMinute) * 60_000);
          const end = new Date(start.getTime() + length * 60_000);
          const r = callbackDue(cal, arrival, minutes, { start, end }, 80);
          const promised = addBusinessMinutes(cal, arrival, minutes);
          if ('problem' in r) {
            if (r.problem === 'closed') expect(businessMinutesBetween(cal, start, end)).toBe(0);
            else expect(r.earliest.getTime()).toBe(promised.getTime());
            return;
          }
          const { dueAt, warnAt }: CallbackDue = r;
          expect(dueAt.getTime()).toBeGreaterThanOrEqual(start.getTime());
          expect(dueAt.getTime()).toBeLessThan(end.getTime());
          expect(dueAt.getTime()).toBe(Math.max(promised.getTime(), addBusinessMinutes(cal, start, 0).getTime()));
          expect(warnAt.getTime()).toBeLessThanOrEqual(dueAt.getTime());
          expect(warnAt.getTime()).toBeGreaterThanOrEqual(arrival.getTime());
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('phone numbers', () => {
  it('when a number is typed with its country code and separators, then it is stored as E.164', () => {
    expect(e164Of('+49 170 123-4567')).toBe('+491701234567');
    expect(e164Of('0049 (170) 1234567')).toBe('+491701234567');
    expect(e164Of(' +44 20 7946 0958 ')).toBe('+442079460958');
  });

  it('when a number lacks its country code, is too short or long, or holds anything else, then it is refused', () => {
    for (const typed of [
      '0170 1234567',
      '+49 170',
      '+0 170 1234567',
      '+49 170 1234567 89012345',
      '+49 170 CALLME',
      '+49170<script>',
      '',
      '+'.padEnd(40, '1'),
    ]) {
      expect(e164Of(typed)).toBeNull();
    }
  });
});
