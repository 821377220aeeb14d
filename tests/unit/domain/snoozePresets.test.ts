/** "Save for later" presets: wall-clock 09:00 in the user's zone, across weekdays and daylight-saving changes. */
import fc from 'fast-check';
import { snoozeUntil, SNOOZE_PRESETS } from '../../../server/domain/conversations/snoozePresets';

const BERLIN = 'Europe/Berlin';
const berlin = (d: Date) =>
  new Intl.DateTimeFormat('en-GB', {
    timeZone: BERLIN,
    weekday: 'short',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
  }).format(d);

describe('snoozeUntil', () => {
  it('when "in 1 h" is chosen, then it is exactly one hour later', () => {
    const now = new Date('2026-12-03T13:50:00Z');
    expect(snoozeUntil('in1h', now, BERLIN).toISOString()).toBe('2026-12-03T14:50:00.000Z');
  });

  it('when "tomorrow 09:00" is chosen late in the evening, then it is 09:00 Berlin time of the next Berlin day', () => {
    // 23:30 Berlin on Thursday 3 December is 22:30Z; tomorrow is Friday 4 December.
    expect(berlin(snoozeUntil('tomorrow9', new Date('2026-12-03T22:30:00Z'), BERLIN))).toBe('Fri, 04/12/2026, 09:00');
    // 00:30 Berlin on Friday is still Thursday in UTC: tomorrow is Saturday.
    expect(berlin(snoozeUntil('tomorrow9', new Date('2026-12-03T23:30:00Z'), BERLIN))).toBe('Sat, 05/12/2026, 09:00');
  });

  it('when "Monday 09:00" is chosen, then it is the coming Monday, a week later on a Monday', () => {
    expect(berlin(snoozeUntil('monday9', new Date('2026-12-03T10:00:00Z'), BERLIN))).toBe('Mon, 07/12/2026, 09:00'); // Thursday
    expect(berlin(snoozeUntil('monday9', new Date('2026-12-06T22:00:00Z'), BERLIN))).toBe('Mon, 07/12/2026, 09:00'); // Sunday 23:00
    expect(berlin(snoozeUntil('monday9', new Date('2026-12-07T07:00:00Z'), BERLIN))).toBe('Mon, 14/12/2026, 09:00'); // Monday 08:00
  });

  it('when a daylight-saving change lies between, then it is still 09:00 on the wall clock', () => {
    // Saturday 28 March 2026 → Monday 30 March: clocks went forward on Sunday (09:00 CEST is 07:00Z).
    expect(snoozeUntil('monday9', new Date('2026-03-28T12:00:00Z'), BERLIN).toISOString()).toBe('2026-03-30T07:00:00.000Z');
    // Saturday 24 October → Sunday 25 October: clocks went back (09:00 CET is 08:00Z).
    expect(snoozeUntil('tomorrow9', new Date('2026-10-24T12:00:00Z'), BERLIN).toISOString()).toBe('2026-10-25T08:00:00.000Z');
  });

  it('when any preset is chosen at any time, then the time is later than now and at most 8 days ahead', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SNOOZE_PRESETS),
        fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
        (preset, now) => {
          const until = snoozeUntil(preset, now, BERLIN).getTime();
          expect(until).toBeGreaterThan(now.getTime());
          expect(until - now.getTime()).toBeLessThanOrEqual(8 * 86_400_000);
        },
      ),
    );
  });
});
