import {
  addDays,
  isValidTimeZone,
  localDate,
  localDaysRange,
  presetDates,
  previousPeriodDates,
  rangeProblem,
  zonedToInstant,
} from '../../../server/domain/reports/range';

describe('local days as instants', () => {
  it('when the Berlin day 2026-10-25 (DST ends) is turned into a range, then it lasts 25 hours', () => {
    const r = localDaysRange('Europe/Berlin', '2026-10-25', '2026-10-25');
    expect(r.from.toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(r.to.toISOString()).toBe('2026-10-25T23:00:00.000Z');
  });

  it('when the Berlin day 2026-03-29 (DST starts) is turned into a range, then it lasts 23 hours', () => {
    const r = localDaysRange('Europe/Berlin', '2026-03-29', '2026-03-29');
    expect((r.to.getTime() - r.from.getTime()) / 3_600_000).toBe(23);
  });

  it('when a local time falls into the spring gap, then it is the moment the clock jumps (02:30 → 03:00 CEST), as everywhere (domain/time/zonedTime.ts)', () => {
    expect(zonedToInstant('Europe/Berlin', '2026-03-29T02:30').toISOString()).toBe('2026-03-29T01:00:00.000Z');
  });

  it('when an instant is 00:30 in Berlin, then its local date is the next UTC day', () => {
    expect(localDate('Europe/Berlin', new Date('2026-10-24T22:30:00Z'))).toBe('2026-10-25');
    expect(localDate('UTC', new Date('2026-10-24T22:30:00Z'))).toBe('2026-10-24');
    expect(localDate('Asia/Kolkata', new Date('2026-10-24T18:45:00Z'))).toBe('2026-10-25');
  });
});

describe('presets and the previous period', () => {
  const now = new Date('2026-11-02T23:30:00Z'); // 00:30 on 3 Nov in Berlin
  it.each([
    ['today', '2026-11-03', '2026-11-03'],
    ['last7', '2026-10-28', '2026-11-03'],
    ['last30', '2026-10-05', '2026-11-03'],
    ['thisMonth', '2026-11-01', '2026-11-03'],
    ['lastMonth', '2026-10-01', '2026-10-31'],
  ] as const)('when the preset is %s, then it covers %s to %s in the local calendar', (preset, fromDate, toDate) => {
    expect(presetDates(preset, 'Europe/Berlin', now)).toEqual({ fromDate, toDate });
  });

  it('when a January month is the period, then the previous period is the 31 days before it', () => {
    expect(previousPeriodDates('2026-01-01', '2026-01-31')).toEqual({ fromDate: '2025-12-01', toDate: '2025-12-31' });
  });

  it('when days are added across a month end, then the calendar date rolls over', () => {
    expect(addDays('2026-02-27', 2)).toBe('2026-03-01');
  });
});

describe('validation', () => {
  it('when a time zone is unknown, then it is not valid', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });

  it('when from is after to, or the range is over 400 days, then it names the problem; 400 local days across DST are fine', () => {
    expect(rangeProblem(new Date('2026-10-02'), new Date('2026-10-01'))).toMatch(/from/);
    expect(rangeProblem(new Date('2025-01-01'), new Date('2026-03-01'))).toMatch(/400/);
    const r = localDaysRange('Europe/Berlin', '2025-10-01', addDays('2025-10-01', 399));
    expect(rangeProblem(r.from, r.to)).toBeNull();
  });
});
