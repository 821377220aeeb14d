import fc from 'fast-check';
import {
  addDays,
  civilOf,
  dayNumberOf,
  formatIsoDate,
  instantToWall,
  localDate,
  parseIsoDate,
  parseLocalDateTime,
  parseZonedLocal,
  wallTimeOf,
  wallToInstant,
  zonedToInstant,
  zoneOffsetMs,
} from '../../../server/domain/time/zonedTime';
import { compileCalendar } from '../../../server/domain/sla/businessTime';
import { parseCalendarDefinition } from '../../../server/domain/sla/calendar';

const iso = (instant: number | Date) => new Date(instant).toISOString();
const HOUR_MS = 3_600_000;

describe('the repeated hour (Europe/Berlin 2026-10-25, 02:00–03:00 happens twice)', () => {
  it('when a wall time is in the repeated hour, then it is its first occurrence (CEST, +02:00)', () => {
    expect(iso(wallToInstant('Europe/Berlin', wallTimeOf(2026, 10, 25, 2, 0)))).toBe('2026-10-25T00:00:00.000Z');
    expect(iso(wallToInstant('Europe/Berlin', wallTimeOf(2026, 10, 25, 2, 30)))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(wallToInstant('Europe/Berlin', wallTimeOf(2026, 10, 25, 3, 0)))).toBe('2026-10-25T02:00:00.000Z');
  });

  it('when both occurrences are read back, then both show 02:30 local', () => {
    expect(iso(instantToWall('Europe/Berlin', Date.parse('2026-10-25T00:30:00Z')))).toBe('2026-10-25T02:30:00.000Z');
    expect(iso(instantToWall('Europe/Berlin', Date.parse('2026-10-25T01:30:00Z')))).toBe('2026-10-25T02:30:00.000Z');
    expect(zoneOffsetMs('Europe/Berlin', new Date('2026-10-25T00:59:59Z'))).toBe(2 * HOUR_MS);
    expect(zoneOffsetMs('Europe/Berlin', new Date('2026-10-25T01:00:00Z'))).toBe(HOUR_MS);
  });

  it('when a reminder (datetime-local), a report range and a business calendar read 02:30 that day, then all three mean the same instant', () => {
    const reminder = parseZonedLocal('2026-10-25T02:30', 'Europe/Berlin')!;
    const report = zonedToInstant('Europe/Berlin', '2026-10-25T02:30');
    const cal = compileCalendar(
      parseCalendarDefinition({ name: 'c', timeZone: 'Europe/Berlin', weekly: { sun: [['02:30', '05:00']] }, holidays: null, closures: [] }),
    );
    const [span] = cal.openSpansOn(dayNumberOf(2026, 10, 25));
    expect(iso(reminder)).toBe('2026-10-25T00:30:00.000Z');
    expect(report).toEqual(reminder);
    expect(span![0]).toBe(reminder.getTime());
    // 02:30 CEST to 05:00 CET is three and a half real hours.
    expect(span![1] - span![0]).toBe(3.5 * HOUR_MS);
  });

  it('when the Berlin day of the change is a report range, then it lasts 25 hours', () => {
    expect(zonedToInstant('Europe/Berlin', '2026-10-26').getTime() - zonedToInstant('Europe/Berlin', '2026-10-25').getTime()).toBe(25 * HOUR_MS);
  });
});

describe('the skipped hour (Europe/Berlin 2026-03-29, 02:00–03:00 never happens)', () => {
  it('when a wall time is in the gap, then it is the moment the clock jumps (03:00 CEST = 01:00Z)', () => {
    expect(iso(wallToInstant('Europe/Berlin', wallTimeOf(2026, 3, 29, 2, 0)))).toBe('2026-03-29T01:00:00.000Z');
    expect(iso(wallToInstant('Europe/Berlin', wallTimeOf(2026, 3, 29, 2, 59)))).toBe('2026-03-29T01:00:00.000Z');
    expect(parseZonedLocal('2026-03-29T02:30', 'Europe/Berlin')).toEqual(new Date('2026-03-29T01:00:00Z'));
    expect(iso(wallToInstant('Europe/Berlin', wallTimeOf(2026, 3, 29, 1, 59)))).toBe('2026-03-29T00:59:00.000Z');
    expect(iso(wallToInstant('Europe/Berlin', wallTimeOf(2026, 3, 29, 3, 0)))).toBe('2026-03-29T01:00:00.000Z');
  });

  it('when the Berlin day of the change is a report range, then it lasts 23 hours', () => {
    expect(zonedToInstant('Europe/Berlin', '2026-03-30').getTime() - zonedToInstant('Europe/Berlin', '2026-03-29').getTime()).toBe(23 * HOUR_MS);
  });
});

describe('wall time to instant, in general', () => {
  const zones = ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/Santiago', 'Pacific/Apia', 'UTC'];
  it('when any wall time is converted, then the mapping is monotone and every instant read back as wall time converts to itself or an earlier occurrence', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2040, 0, 1) }),
        fc.integer({ min: 0, max: 4 * HOUR_MS }),
        (zone, wall, step) => {
          const a = wallToInstant(zone, wall);
          expect(wallToInstant(zone, wall + step)).toBeGreaterThanOrEqual(a);
          const instant = a + step;
          const back = wallToInstant(zone, instantToWall(zone, instant));
          expect(back).toBeLessThanOrEqual(instant);
          expect(instantToWall(zone, back)).toBe(instantToWall(zone, instant));
        },
      ),
      { numRuns: 300, seed: 13 },
    );
  });

  it('when a date is before year 100 or after 9999, then it is that date (not 19xx) and offsets still work', () => {
    expect(parseIsoDate('0001-01-01')).toBe(dayNumberOf(1, 1, 1));
    expect(iso(dayNumberOf(1, 1, 1) * 86_400_000)).toBe('0001-01-01T00:00:00.000Z');
    expect(localDate('Europe/Berlin', new Date('0001-01-01T12:00:00Z'))).toBe('0001-01-01');
    expect(localDate('UTC', new Date('+010000-01-01T00:00:00Z'))).toBe('+010000-01-01');
    expect(addDays('9999-12-31', 1)).toBe('+010000-01-01');
    expect(Math.abs(zoneOffsetMs('Europe/Berlin', new Date('0001-06-01T00:00:00Z')))).toBeLessThan(2 * HOUR_MS);
  });

  it('when civil dates round-trip through day numbers, then they come back unchanged', () => {
    fc.assert(
      fc.property(fc.integer({ min: -800_000, max: 3_000_000 }), (day) => {
        const { year, month, day: d } = civilOf(day);
        expect(dayNumberOf(year, month, d)).toBe(day);
        if (year >= 0 && year <= 9999) expect(formatIsoDate(day)).toBe(new Date(day * 86_400_000).toISOString().slice(0, 10));
      }),
      { numRuns: 500, seed: 13 },
    );
  });

  it('when a local date-time is malformed or not a real date, then it is null', () => {
    for (const text of ['2026-02-30T10:00', '2026-13-01', '2026-1-01', '2026-03-29T24:00', '2026-03-29T10:60', 'yesterday', '']) {
      expect(parseLocalDateTime(text)).toBeNull();
    }
  });
});
