import fc from 'fast-check';
import { duePeriod, lastCompletePeriod, localHour } from '../../../server/domain/reports/reportPeriod';
import { addDays } from '../../../server/domain/time/zonedTime';

const berlin = 'Europe/Berlin';

describe('which summary a scheduled report e-mail sends', () => {
  it.each([
    ['daily', '2026-12-03T06:00:00Z', { key: '2026-12-02', fromDate: '2026-12-02', toDate: '2026-12-02' }],
    // Thursday 3 December: last week is Monday 23 to Sunday 29 November
    ['weekly', '2026-12-03T06:00:00Z', { key: 'W2026-11-23', fromDate: '2026-11-23', toDate: '2026-11-29' }],
    // a Monday morning: the week that ended yesterday
    ['weekly', '2026-11-30T06:00:00Z', { key: 'W2026-11-23', fromDate: '2026-11-23', toDate: '2026-11-29' }],
    ['monthly', '2026-12-01T06:00:00Z', { key: '2026-11', fromDate: '2026-11-01', toDate: '2026-11-30' }],
    ['monthly', '2027-03-15T06:00:00Z', { key: '2027-02', fromDate: '2027-02-01', toDate: '2027-02-28' }],
    // 23:30 UTC on 31 December is already 1 January in Berlin
    ['daily', '2026-12-31T23:30:00Z', { key: '2026-12-31', fromDate: '2026-12-31', toDate: '2026-12-31' }],
  ] as const)('when %s at %s, then the period is %j', (frequency, at, period) => {
    expect(lastCompletePeriod(frequency, berlin, new Date(at))).toEqual(period);
  });

  it('when it is before the local send hour, then nothing is due; from it on, the period once', () => {
    const s = { frequency: 'daily' as const, timeZone: berlin, sendHour: 7, lastPeriod: null };
    expect(duePeriod(s, new Date('2026-12-03T05:59:00Z'))).toBeNull(); // 06:59 in Berlin
    expect(duePeriod(s, new Date('2026-12-03T06:00:00Z'))?.key).toBe('2026-12-02');
    expect(duePeriod({ ...s, lastPeriod: '2026-12-02' }, new Date('2026-12-03T10:00:00Z'))).toBeNull();
    expect(duePeriod({ ...s, timeZone: 'America/New_York' }, new Date('2026-12-03T06:00:00Z'))).toBeNull(); // 01:00 there
  });

  it('when any instant and time zone, then the period is complete, ends before today and weekly periods are Monday to Sunday', () => {
    const zones = fc.constantFrom(berlin, 'UTC', 'America/New_York', 'Asia/Tokyo', 'Pacific/Kiritimati');
    const instants = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2035, 0, 1) }).map((ms) => new Date(ms));
    fc.assert(
      fc.property(fc.constantFrom('daily', 'weekly', 'monthly' as const), zones, instants, (frequency, tz, now) => {
        const p = lastCompletePeriod(frequency, tz, now);
        const today = new Intl.DateTimeFormat('en-CA', { timeZone: tz }).format(now);
        expect(p.toDate < today).toBe(true);
        expect(addDays(p.toDate, 1) <= today).toBe(true);
        if (frequency === 'daily') expect(addDays(p.toDate, 1)).toBe(today);
        if (frequency === 'weekly') {
          expect(new Date(`${p.fromDate}T00:00:00Z`).getUTCDay()).toBe(1);
          expect(addDays(p.fromDate, 6)).toBe(p.toDate);
        }
        if (frequency === 'monthly') expect(p.fromDate.endsWith('-01') && addDays(p.toDate, 1).endsWith('-01')).toBe(true);
        const hour = localHour(tz, now);
        expect(hour).toBeGreaterThanOrEqual(0);
        expect(hour).toBeLessThan(24);
      }),
    );
  });
});
