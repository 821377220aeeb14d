import fc from 'fast-check';
import {
  addBusinessMinutes,
  businessMinutesBetween,
  compileCalendar,
  isOpen,
  MAX_WALK_DAYS,
  nextOpening,
  observeWalks,
  TWENTY_FOUR_SEVEN,
  type CompiledCalendar,
} from '../../../server/domain/sla/businessTime';
import { parseCalendarDefinition, type CalendarDefinition, type ClockInterval } from '../../../server/domain/sla/calendar';

// Expected instants are written as ISO strings with the Berlin offset in force (+01:00 CET, +02:00 CEST).
const at = (iso: string) => new Date(iso);
const MINUTE_MS = 60_000;

function calendar(overrides: Partial<CalendarDefinition> = {}): CompiledCalendar {
  return compileCalendar(
    parseCalendarDefinition({
      name: 'test',
      timeZone: 'Europe/Berlin',
      weekly: {},
      holidays: null,
      closures: [],
      ...overrides,
    }),
  );
}

function workdays(...intervals: ClockInterval[]): CalendarDefinition['weekly'] {
  return { mon: intervals, tue: intervals, wed: intervals, thu: intervals, fri: intervals };
}

function everyDay(...intervals: ClockInterval[]): CalendarDefinition['weekly'] {
  return { ...workdays(...intervals), sat: intervals, sun: intervals };
}

const NINE_TO_FIVE = workdays(['09:00', '17:00']);
const DE_NW_HOLIDAYS = { country: 'DE', region: 'NW' };
const berlinOffice = calendar({ weekly: NINE_TO_FIVE, holidays: DE_NW_HOLIDAYS });

describe('Berlin office hours Mon–Fri 09:00–17:00 with DE-NW holidays', () => {
  it('a post on Friday 16:30 with a 60 min target is due Monday 09:30', () => {
    const post = at('2026-03-06T16:30:00+01:00');
    const due = addBusinessMinutes(berlinOffice, post, 60);
    expect(due).toEqual(at('2026-03-09T09:30:00+01:00'));
    expect(businessMinutesBetween(berlinOffice, post, due)).toBe(60);
  });

  it('a post on Saturday starts the clock on Monday 09:00', () => {
    const post = at('2026-03-07T11:00:00+01:00');
    expect(isOpen(berlinOffice, post)).toBe(false);
    expect(nextOpening(berlinOffice, post)).toEqual(at('2026-03-09T09:00:00+01:00'));
    expect(addBusinessMinutes(berlinOffice, post, 0)).toEqual(at('2026-03-09T09:00:00+01:00'));
    expect(addBusinessMinutes(berlinOffice, post, 30)).toEqual(at('2026-03-09T09:30:00+01:00'));
    expect(businessMinutesBetween(berlinOffice, post, at('2026-03-09T10:00:00+01:00'))).toBe(60);
  });

  it('counts up to the closing time itself rather than jumping to the next opening', () => {
    const tuesday = at('2026-03-10T10:00:00+01:00');
    expect(addBusinessMinutes(berlinOffice, tuesday, 0)).toEqual(tuesday);
    expect(addBusinessMinutes(berlinOffice, tuesday, 420)).toEqual(at('2026-03-10T17:00:00+01:00'));
    expect(addBusinessMinutes(berlinOffice, tuesday, 421)).toEqual(at('2026-03-11T09:01:00+01:00'));
  });

  it('treats open time as half-open: open at 09:00, closed at 17:00', () => {
    expect(isOpen(berlinOffice, at('2026-03-10T09:00:00+01:00'))).toBe(true);
    expect(isOpen(berlinOffice, at('2026-03-10T16:59:59.999+01:00'))).toBe(true);
    expect(isOpen(berlinOffice, at('2026-03-10T17:00:00+01:00'))).toBe(false);
    expect(nextOpening(berlinOffice, at('2026-03-10T17:00:00+01:00'))).toEqual(at('2026-03-11T09:00:00+01:00'));
  });

  it('crosses the 2026-10-25 fall-back weekend (CEST → CET)', () => {
    const post = at('2026-10-23T16:30:00+02:00');
    expect(addBusinessMinutes(berlinOffice, post, 60)).toEqual(at('2026-10-26T09:30:00+01:00'));
    expect(businessMinutesBetween(berlinOffice, at('2026-10-23T09:00:00+02:00'), at('2026-10-26T17:00:00+01:00'))).toBe(960);
  });

  it('crosses the 2026-03-29 spring-forward weekend (CET → CEST)', () => {
    expect(addBusinessMinutes(berlinOffice, at('2026-03-27T16:00:00+01:00'), 120)).toEqual(at('2026-03-30T10:00:00+02:00'));
  });

  it('skips Christmas 2026-12-25 and 2026-12-26', () => {
    const monToSat = calendar({ weekly: { ...NINE_TO_FIVE, sat: [['09:00', '17:00']] }, holidays: DE_NW_HOLIDAYS });
    const post = at('2026-12-24T16:30:00+01:00');
    expect(addBusinessMinutes(monToSat, post, 60)).toEqual(at('2026-12-28T09:30:00+01:00'));
    expect(isOpen(monToSat, at('2026-12-26T10:00:00+01:00'))).toBe(false);
    expect(isOpen(calendar({ weekly: { sat: [['09:00', '17:00']] } }), at('2026-12-26T10:00:00+01:00'))).toBe(true);
    const christmasWeek = [at('2026-12-21T00:00:00+01:00'), at('2026-12-28T00:00:00+01:00')] as const;
    expect(businessMinutesBetween(berlinOffice, ...christmasWeek)).toBe(4 * 480);
  });

  it('honours Fronleichnam 2026-06-04 in DE-NW but not in DE-BE', () => {
    const post = at('2026-06-03T16:30:00+02:00');
    expect(addBusinessMinutes(berlinOffice, post, 60)).toEqual(at('2026-06-05T09:30:00+02:00'));
    const berlinState = calendar({ weekly: NINE_TO_FIVE, holidays: { country: 'DE', region: 'BE' } });
    expect(addBusinessMinutes(berlinState, post, 60)).toEqual(at('2026-06-04T09:30:00+02:00'));
  });

  it('reports fractional minutes with millisecond precision', () => {
    const start = at('2026-03-10T09:00:00+01:00');
    expect(businessMinutesBetween(berlinOffice, start, at('2026-03-10T09:00:30.250+01:00'))).toBeCloseTo(30.25 / 60, 12);
    expect(addBusinessMinutes(berlinOffice, start, 0.5)).toEqual(at('2026-03-10T09:00:30+01:00'));
    // 0.6 ms rounds to 1 ms, which reaches closing time exactly.
    const lastMillisecond = at('2026-03-10T16:59:59.999+01:00');
    expect(addBusinessMinutes(berlinOffice, lastMillisecond, 0.6 / MINUTE_MS)).toEqual(at('2026-03-10T17:00:00+01:00'));
    expect(businessMinutesBetween(berlinOffice, start, start)).toBe(0);
    expect(businessMinutesBetween(berlinOffice, start, at('2026-03-09T09:00:00+01:00'))).toBe(0);
  });
});

describe('other holiday calendars', () => {
  it('closes from 13:00 on a half-day public holiday (Iceland, 2026-12-24)', () => {
    const reykjavik = calendar({ timeZone: 'Atlantic/Reykjavik', weekly: NINE_TO_FIVE, holidays: { country: 'IS' } });
    expect(isOpen(reykjavik, at('2026-12-24T12:59:00Z'))).toBe(true);
    expect(isOpen(reykjavik, at('2026-12-24T13:00:00Z'))).toBe(false);
    // 30 min on the 24th, the 25th is a holiday, then the weekend.
    expect(addBusinessMinutes(reykjavik, at('2026-12-24T12:30:00Z'), 60)).toEqual(at('2026-12-28T09:30:00Z'));
  });

  it('closes on a substitute public holiday (US, Friday 2026-07-03)', () => {
    const newYork = calendar({ timeZone: 'America/New_York', weekly: NINE_TO_FIVE, holidays: { country: 'US' } });
    expect(isOpen(newYork, at('2026-07-03T10:00:00-04:00'))).toBe(false);
    expect(isOpen(newYork, at('2026-07-02T10:00:00-04:00'))).toBe(true);
  });
});

describe('daylight saving time: a local interval 01:00–04:00 every day', () => {
  const nights = calendar({ weekly: everyDay(['01:00', '04:00']) });

  it('lasts 3 h on an ordinary day, 2 h on 2026-03-29 and 4 h on 2026-10-25', () => {
    expect(businessMinutesBetween(nights, at('2026-03-28T00:00:00+01:00'), at('2026-03-28T12:00:00+01:00'))).toBe(180);
    expect(businessMinutesBetween(nights, at('2026-03-29T00:00:00+01:00'), at('2026-03-29T12:00:00+02:00'))).toBe(120);
    expect(businessMinutesBetween(nights, at('2026-10-25T00:00:00+02:00'), at('2026-10-25T12:00:00+01:00'))).toBe(240);
  });

  it('adds minutes across the transitions in real time', () => {
    expect(addBusinessMinutes(nights, at('2026-03-29T00:00:00+01:00'), 90)).toEqual(at('2026-03-29T03:30:00+02:00'));
    expect(addBusinessMinutes(nights, at('2026-10-25T00:00:00+02:00'), 200)).toEqual(at('2026-10-25T03:20:00+01:00'));
    expect(addBusinessMinutes(nights, at('2026-10-25T00:00:00+02:00'), 241)).toEqual(at('2026-10-26T01:01:00+01:00'));
  });

  it('opens an interval that starts inside the spring-forward gap when the clock jumps', () => {
    const gapStart = calendar({ weekly: { sun: [['02:30', '05:00']] } });
    expect(nextOpening(gapStart, at('2026-03-29T00:00:00+01:00'))).toEqual(at('2026-03-29T03:00:00+02:00'));
    expect(businessMinutesBetween(gapStart, at('2026-03-29T00:00:00+01:00'), at('2026-03-30T00:00:00+02:00'))).toBe(120);
  });

  it('makes a 24/7 Berlin day 23 h or 25 h long', () => {
    const allDay = calendar({ weekly: everyDay(['00:00', '24:00']) });
    expect(businessMinutesBetween(allDay, at('2026-03-29T00:00:00+01:00'), at('2026-03-30T00:00:00+02:00'))).toBe(23 * 60);
    expect(businessMinutesBetween(allDay, at('2026-10-25T00:00:00+02:00'), at('2026-10-26T00:00:00+01:00'))).toBe(25 * 60);
  });
});

// America/Goose_Bay fell back at 2010-11-07 00:01 ADT to 2010-11-06 23:01 AST.
describe('a zone whose clocks fell back across midnight', () => {
  // Open from the first moment the clock shows Sunday 00:00 (03:00Z) to the first moment it shows
  // 00:30 (04:30Z), although the local date reads Saturday again in between.
  const shortSunday = calendar({ timeZone: 'America/Goose_Bay', weekly: { sun: [['00:00', '00:30']] } });

  it('keeps isOpen consistent with businessMinutesBetween while the date reads Saturday', () => {
    expect(isOpen(shortSunday, at('2010-11-07T03:30:00Z'))).toBe(true);
    expect(businessMinutesBetween(shortSunday, at('2010-11-07T03:30:00Z'), at('2010-11-07T03:31:00Z'))).toBe(1);
    expect(businessMinutesBetween(shortSunday, at('2010-11-06T12:00:00Z'), at('2010-11-08T12:00:00Z'))).toBe(90);
    expect(addBusinessMinutes(shortSunday, at('2010-11-06T12:00:00Z'), 90)).toEqual(at('2010-11-07T04:30:00Z'));
  });
});

describe('intervals crossing midnight: night desk Mon–Fri 22:00–06:00', () => {
  const nightDesk = calendar({ weekly: workdays(['22:00', '06:00']) });

  it('keeps Friday’s shift open into Saturday morning', () => {
    expect(isOpen(nightDesk, at('2026-03-07T03:00:00+01:00'))).toBe(true);
    expect(isOpen(nightDesk, at('2026-03-08T03:00:00+01:00'))).toBe(false);
    expect(isOpen(nightDesk, at('2026-03-09T03:00:00+01:00'))).toBe(false);
    expect(isOpen(nightDesk, at('2026-03-10T03:00:00+01:00'))).toBe(true);
  });

  it('continues counting in the next shift', () => {
    expect(addBusinessMinutes(nightDesk, at('2026-03-07T05:00:00+01:00'), 120)).toEqual(at('2026-03-09T23:00:00+01:00'));
    expect(businessMinutesBetween(nightDesk, at('2026-03-09T00:00:00+01:00'), at('2026-03-10T00:00:00+01:00'))).toBe(120);
  });

  it('counts a night shift across the fall-back change as 9 h', () => {
    const nightly = calendar({ weekly: everyDay(['22:00', '06:00']) });
    expect(businessMinutesBetween(nightly, at('2026-10-24T12:00:00+02:00'), at('2026-10-25T12:00:00+01:00'))).toBe(9 * 60);
  });

  it('lets a closure close the whole date, including the tail of the previous night’s shift', () => {
    const withClosure = calendar({ weekly: workdays(['22:00', '06:00']), closures: ['2026-03-07'] });
    expect(isOpen(withClosure, at('2026-03-06T23:00:00+01:00'))).toBe(true);
    expect(isOpen(withClosure, at('2026-03-07T03:00:00+01:00'))).toBe(false);
  });
});

describe('leap day 2028-02-29', () => {
  it('is an ordinary Tuesday', () => {
    expect(addBusinessMinutes(berlinOffice, at('2028-02-28T16:00:00+01:00'), 120)).toEqual(at('2028-02-29T10:00:00+01:00'));
    const monToWed = [at('2028-02-28T00:00:00+01:00'), at('2028-03-02T00:00:00+01:00')] as const;
    expect(businessMinutesBetween(berlinOffice, ...monToWed)).toBe(3 * 480);
  });

  it('can be closed', () => {
    const closed = calendar({ weekly: NINE_TO_FIVE, closures: ['2028-02-29'] });
    expect(addBusinessMinutes(closed, at('2028-02-28T16:00:00+01:00'), 120)).toEqual(at('2028-03-01T10:00:00+01:00'));
  });
});

describe('closures and extra openings', () => {
  it('skips a closed Monday', () => {
    const closed = calendar({ weekly: NINE_TO_FIVE, closures: ['2026-03-09'] });
    expect(addBusinessMinutes(closed, at('2026-03-06T16:30:00+01:00'), 60)).toEqual(at('2026-03-10T09:30:00+01:00'));
  });

  it('uses an extra opening on a Saturday', () => {
    const extraOpenings = [{ date: '2026-03-07', intervals: [['10:00', '14:00']] as ClockInterval[] }];
    const saturday = calendar({ weekly: NINE_TO_FIVE, extraOpenings });
    expect(addBusinessMinutes(saturday, at('2026-03-06T16:30:00+01:00'), 60)).toEqual(at('2026-03-07T10:30:00+01:00'));
  });

  it('lets an extra opening override a public holiday', () => {
    const boxingDay = calendar({
      weekly: NINE_TO_FIVE,
      holidays: DE_NW_HOLIDAYS,
      extraOpenings: [{ date: '2026-12-26', intervals: [['10:00', '12:00']] }],
    });
    expect(addBusinessMinutes(boxingDay, at('2026-12-24T16:30:00+01:00'), 60)).toEqual(at('2026-12-26T10:30:00+01:00'));
  });

  it('lets an extra opening cross midnight into a closed holiday', () => {
    const newYearsEve = calendar({
      weekly: everyDay(['09:00', '17:00']),
      holidays: DE_NW_HOLIDAYS,
      closures: ['2026-12-31'],
      extraOpenings: [{ date: '2026-12-31', intervals: [['22:00', '02:00']] }],
    });
    expect(isOpen(newYearsEve, at('2026-12-31T12:00:00+01:00'))).toBe(false);
    expect(isOpen(newYearsEve, at('2027-01-01T01:00:00+01:00'))).toBe(true);
    expect(businessMinutesBetween(newYearsEve, at('2026-12-31T00:00:00+01:00'), at('2027-01-02T00:00:00+01:00'))).toBe(240);
  });
});

describe('24/7 calendars', () => {
  const start = at('2026-03-29T00:30:00+01:00');

  it.each([
    ['null', null],
    ['TWENTY_FOUR_SEVEN', TWENTY_FOUR_SEVEN],
  ])('%s counts real elapsed time', (_label, cal) => {
    expect(isOpen(cal, start)).toBe(true);
    expect(nextOpening(cal, start)).toEqual(start);
    expect(addBusinessMinutes(cal, start, 10_000)).toEqual(new Date(start.getTime() + 10_000 * MINUTE_MS));
    expect(addBusinessMinutes(cal, start, 1.5)).toEqual(new Date(start.getTime() + 90_000));
    expect(businessMinutesBetween(cal, start, new Date(start.getTime() + 90_500))).toBeCloseTo(90.5 / 60, 12);
    expect(businessMinutesBetween(cal, start, new Date(start.getTime() - 1))).toBe(0);
  });
});

describe('errors', () => {
  it('throws when a calendar has no open time within 3 years', () => {
    const never = calendar();
    expect(() => addBusinessMinutes(never, at('2026-03-06T12:00:00Z'), 10)).toThrow(
      'calendar "test" has no open time within 3 years after 2026-03-06T12:00:00.000Z',
    );
    expect(() => nextOpening(never, at('2026-03-06T12:00:00Z'))).toThrow(/no open time within 3 years/);
    expect(isOpen(never, at('2026-03-06T12:00:00Z'))).toBe(false);
    expect(businessMinutesBetween(never, at('2026-03-06T12:00:00Z'), at('2036-03-06T12:00:00Z'))).toBe(0);
  });

  it('finds a lone extra opening, and throws after it', () => {
    const once = calendar({ extraOpenings: [{ date: '2028-02-29', intervals: [['10:00', '11:00']] }] });
    expect(nextOpening(once, at('2026-03-06T12:00:00Z'))).toEqual(at('2028-02-29T10:00:00+01:00'));
    expect(() => addBusinessMinutes(once, at('2026-03-06T12:00:00Z'), 61)).toThrow(/no open time within 3 years/);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('rejects %p minutes', (minutes) => {
    expect(() => addBusinessMinutes(berlinOffice, at('2026-03-06T12:00:00Z'), minutes)).toThrow(RangeError);
  });
});

// ---------------------------------------------------------------------------------------------
// Property tests
// ---------------------------------------------------------------------------------------------

const WEEKDAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const DAY_MS = 86_400_000;
const FIRST_DAY = Date.UTC(2025, 5, 1) / DAY_MS;
const LAST_DAY = Date.UTC(2029, 5, 1) / DAY_MS;

const clock = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
const isoDate = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);

/**
 * Turns distinct points on a week timeline (in `step` minutes from Monday 00:00, rotated so that
 * intervals may wrap past Sunday) into weekly intervals: consecutive points pair up into open
 * intervals; an interval shorter than a day may cross midnight, a longer one is split per day.
 */
function weeklyFromPoints(points: number[], rotation: number, step: number): CalendarDefinition['weekly'] {
  const weekly: Record<string, ClockInterval[]> = {};
  const sorted = [...points].sort((a, b) => a - b);
  for (let i = 0; i + 1 < sorted.length; i += 2) {
    let from = ((sorted[i] ?? 0) + rotation) * step;
    const to = ((sorted[i + 1] ?? 0) + rotation) * step;
    while (from < to) {
      const dayStart = Math.floor(from / 1440) * 1440;
      const end = to - from < 1440 ? to : dayStart + 1440;
      const name = WEEKDAY_NAMES[(dayStart / 1440) % 7] ?? 'mon';
      const endClock = end - dayStart === 1440 ? '24:00' : clock((end - dayStart) % 1440);
      (weekly[name] ??= []).push([clock(from - dayStart), endClock]);
      from = end;
    }
  }
  return weekly;
}

function openMinutesPerWeek(points: number[], step: number): number {
  const sorted = [...points].sort((a, b) => a - b);
  let total = 0;
  for (let i = 0; i + 1 < sorted.length; i += 2) total += ((sorted[i + 1] ?? 0) - (sorted[i] ?? 0)) * step;
  return total;
}

interface CalendarCase {
  definition: CalendarDefinition;
  compiled: CompiledCalendar;
  openMinutesPerWeek: number;
  nearDay: number;
}

function calendarArbitrary(options: { step: number; zones: string[]; withHolidays: boolean }): fc.Arbitrary<CalendarCase> {
  const { step, zones, withHolidays } = options;
  const slotsPerWeek = (7 * 1440) / step;
  const slotsPerDay = 1440 / step;
  const extraOpening = fc.record({
    offset: fc.integer({ min: 0, max: 30 }),
    start: fc.integer({ min: 0, max: slotsPerDay - 1 }),
    length: fc.integer({ min: 1, max: slotsPerDay - 1 }),
  });
  return fc
    .record({
      timeZone: fc.constantFrom(...zones),
      points: fc.uniqueArray(fc.integer({ min: 0, max: slotsPerWeek - 1 }), { minLength: 2, maxLength: 12 }),
      rotation: fc.integer({ min: 0, max: slotsPerWeek - 1 }),
      holidays: withHolidays ? fc.constantFrom(null, { country: 'DE', region: 'NW' }, { country: 'US' }, { country: 'IS' }) : fc.constant(null),
      nearDay: fc.integer({ min: FIRST_DAY, max: LAST_DAY }),
      closureOffsets: fc.uniqueArray(fc.integer({ min: -2, max: 40 }), { maxLength: 6 }),
      extraOpenings: fc.uniqueArray(extraOpening, { maxLength: 4, selector: (opening) => opening.offset }),
    })
    .map(({ timeZone, points, rotation, holidays, nearDay, closureOffsets, extraOpenings }) => {
      const definition = parseCalendarDefinition({
        name: 'generated',
        timeZone,
        weekly: weeklyFromPoints(points, rotation, step),
        holidays,
        closures: closureOffsets.map((offset) => isoDate(nearDay + offset)),
        // Even day offsets only, so one opening's spill past midnight never meets another opening.
        extraOpenings: extraOpenings.map(({ offset, start, length }) => ({
          date: isoDate(nearDay + 2 * offset),
          intervals: [[clock(start * step), clock(((start + length) * step) % 1440)]],
        })),
      });
      const compiled = compileCalendar(definition);
      return { definition, compiled, openMinutesPerWeek: openMinutesPerWeek(points, step), nearDay };
    });
}

const ALL_ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'America/Santiago', 'Australia/Lord_Howe'];
const anyCalendar = calendarArbitrary({ step: 15, zones: ALL_ZONES, withHolidays: true });

/** An instant within a few weeks of the calendar's closures and extra openings, with millisecond detail. */
const instantNear = (nearDay: number) => fc.integer({ min: (nearDay - 3) * DAY_MS, max: (nearDay + 40) * DAY_MS });

/** Up to about three weeks of the calendar's open time, in whole milliseconds. */
const minutesFor = (c: CalendarCase) => fc.integer({ min: 0, max: c.openMinutesPerWeek * 3 * MINUTE_MS }).map((ms) => ms / MINUTE_MS);

const withInstants = (calendars: fc.Arbitrary<CalendarCase>, count: number) =>
  calendars.chain((c) => fc.tuple(fc.constant(c), fc.array(instantNear(c.nearDay), { minLength: count, maxLength: count })));

const PROPERTY_RUNS = { numRuns: 150 };

describe('properties over random calendars', () => {
  it('businessMinutesBetween(start, addBusinessMinutes(start, m)) equals m', () => {
    fc.assert(
      fc.property(
        anyCalendar.chain((c) => fc.tuple(fc.constant(c), instantNear(c.nearDay), minutesFor(c))),
        ([c, startMs, minutes]) => {
          const start = new Date(startMs);
          const due = addBusinessMinutes(c.compiled, start, minutes);
          expect(Math.abs(businessMinutesBetween(c.compiled, start, due) - minutes)).toBeLessThan(1e-6);
        },
      ),
      PROPERTY_RUNS,
    );
  });

  it('never lands strictly inside closed time', () => {
    fc.assert(
      fc.property(
        anyCalendar.chain((c) => fc.tuple(fc.constant(c), instantNear(c.nearDay), minutesFor(c))),
        ([c, startMs, minutes]) => {
          const start = new Date(startMs);
          const due = addBusinessMinutes(c.compiled, start, minutes);
          if (minutes > 0) {
            expect(isOpen(c.compiled, new Date(due.getTime() - 1))).toBe(true);
          } else if (isOpen(c.compiled, start)) {
            expect(due).toEqual(start);
          } else {
            expect(due.getTime()).toBeGreaterThan(startMs);
            expect(isOpen(c.compiled, due)).toBe(true);
            expect(businessMinutesBetween(c.compiled, start, due)).toBe(0);
          }
        },
      ),
      PROPERTY_RUNS,
    );
  });

  it('is monotone: more minutes never give an earlier instant', () => {
    fc.assert(
      fc.property(
        anyCalendar.chain((c) => fc.tuple(fc.constant(c), instantNear(c.nearDay), minutesFor(c), minutesFor(c))),
        ([c, startMs, m1, m2]) => {
          const start = new Date(startMs);
          const [fewer, more] = m1 <= m2 ? [m1, m2] : [m2, m1];
          expect(addBusinessMinutes(c.compiled, start, fewer).getTime()).toBeLessThanOrEqual(addBusinessMinutes(c.compiled, start, more).getTime());
        },
      ),
      PROPERTY_RUNS,
    );
  });

  it('is additive: between(a, b) + between(b, c) equals between(a, c)', () => {
    fc.assert(
      fc.property(withInstants(anyCalendar, 3), ([c, instants]) => {
        const [a, b, d] = [...instants].sort((x, y) => x - y).map((ms) => new Date(ms)) as [Date, Date, Date];
        const split = businessMinutesBetween(c.compiled, a, b) + businessMinutesBetween(c.compiled, b, d);
        expect(Math.abs(split - businessMinutesBetween(c.compiled, a, d))).toBeLessThan(1e-6);
      }),
      PROPERTY_RUNS,
    );
  });

  it('agrees with isOpen: a millisecond counts exactly when the calendar is open', () => {
    fc.assert(
      fc.property(withInstants(anyCalendar, 10), ([c, instants]) => {
        for (const ms of instants) {
          const counted = businessMinutesBetween(c.compiled, new Date(ms), new Date(ms + 1)) > 0;
          expect(isOpen(c.compiled, new Date(ms))).toBe(counted);
        }
      }),
      PROPERTY_RUNS,
    );
  });
});

// An independent reading of a definition: format the instant in the zone with Intl and check the
// wall-clock date and time against the intervals. On whole-hour boundaries this matches the
// "earliest instant the clock shows that time" rule of the implementation, even around DST changes.
const wallClockFormatters = new Map<string, Intl.DateTimeFormat>();

function wallClock(timeZone: string, instant: number): { day: number; minute: number } {
  let formatter = wallClockFormatters.get(timeZone);
  if (!formatter) {
    const numeric = 'numeric' as const;
    const fields = { year: numeric, month: numeric, day: numeric, hour: numeric, minute: numeric, second: numeric };
    formatter = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', ...fields });
    wallClockFormatters.set(timeZone, formatter);
  }
  const parts: Record<string, number> = {};
  for (const part of formatter.formatToParts(instant)) parts[part.type] = Number(part.value);
  const { year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0 } = parts;
  const minuteOfDay = hour * 60 + minute + second / 60 + (instant % 1000) / MINUTE_MS;
  return { day: Date.UTC(year, month - 1, day) / DAY_MS, minute: minuteOfDay };
}

function toMinutes(text: string): number {
  const [hours = 0, minutes = 0] = text.split(':').map(Number);
  return hours * 60 + minutes;
}

function intervalsCover(intervals: ClockInterval[], minute: number, onFollowingDay: boolean): boolean {
  return intervals.some(([startText, endText]) => {
    const [start, end] = [toMinutes(startText), toMinutes(endText)];
    if (onFollowingDay) return end <= start && minute < end;
    return end > start ? start <= minute && minute < end : start <= minute;
  });
}

function oracleIsOpen(def: CalendarDefinition, instant: number): boolean {
  const { day, minute } = wallClock(def.timeZone, instant);
  const weekdayName = (d: number) => WEEKDAY_NAMES[(((d + 3) % 7) + 7) % 7] ?? 'mon';
  const extraOn = (d: number) => def.extraOpenings?.find((opening) => opening.date === isoDate(d))?.intervals ?? [];
  const weeklyOn = (d: number) => def.weekly[weekdayName(d)] ?? [];
  const openByExtra = intervalsCover(extraOn(day), minute, false) || intervalsCover(extraOn(day - 1), minute, true);
  const openByWeek = intervalsCover(weeklyOn(day), minute, false) || intervalsCover(weeklyOn(day - 1), minute, true);
  return openByExtra || (!def.closures.includes(isoDate(day)) && openByWeek);
}

describe('isOpen against an independent wall-clock reading', () => {
  it('agrees on random calendars with whole-hour boundaries, in zones with and without DST', () => {
    const hourlyCalendar = calendarArbitrary({ step: 60, zones: ALL_ZONES, withHolidays: false });
    fc.assert(
      fc.property(withInstants(hourlyCalendar, 20), ([c, instants]) => {
        for (const ms of instants) expect(isOpen(c.compiled, new Date(ms))).toBe(oracleIsOpen(c.definition, ms));
      }),
      { numRuns: 200 },
    );
  });

  it('agrees minute by minute around the 2026 DST changes', () => {
    const cases: [string, string][] = [
      ['Europe/Berlin', '2026-03-28T20:00:00Z'],
      ['Europe/Berlin', '2026-10-24T20:00:00Z'],
      ['America/Santiago', '2026-04-04T20:00:00Z'],
      ['America/Santiago', '2026-09-05T20:00:00Z'],
      ['Australia/Lord_Howe', '2026-04-04T10:00:00Z'],
    ];
    const weekly = everyDay(['00:00', '01:00'], ['02:00', '03:00'], ['05:00', '23:00']);
    for (const [timeZone, from] of cases) {
      const definition = parseCalendarDefinition({ name: timeZone, timeZone, weekly, holidays: null, closures: [] });
      const compiled = compileCalendar(definition);
      for (let ms = Date.parse(from); ms < Date.parse(from) + 12 * 3_600_000; ms += MINUTE_MS) {
        const expected = oracleIsOpen(definition, ms);
        expect([timeZone, new Date(ms), isOpen(compiled, new Date(ms))]).toEqual([timeZone, new Date(ms), expected]);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Bounded walks (hostile instants: year 9999, year 0001)
// ---------------------------------------------------------------------------------------------

describe('every walk is bounded', () => {
  const officeWithHolidays = calendar({ weekly: NINE_TO_FIVE, holidays: DE_NW_HOLIDAYS });
  const now = at('2026-03-10T10:00:00+01:00');
  let walks: number[] = [];
  beforeEach(() => {
    walks = [];
    observeWalks((days) => walks.push(days));
  });
  afterEach(() => observeWalks(null));

  it.each([
    ['due in year 9999', now, at('9999-06-01T12:00:00Z')],
    ['posted in year 0001', at('0001-01-01T00:00:00Z'), now],
    ['from year 0001 to year 9999', at('0001-01-01T00:00:00Z'), at('9999-12-31T23:59:59Z')],
    ['to the last instant a Date holds', now, new Date(8.64e15)],
  ])('when business minutes are counted %s, then at most MAX_WALK_DAYS + 2 days are walked and the answer extrapolates the open share', (_what, start, end) => {
    const minutes = businessMinutesBetween(officeWithHolidays, start, end);
    expect(Math.max(...walks)).toBeLessThanOrEqual(MAX_WALK_DAYS + 2);
    const openShare = businessMinutesBetween(officeWithHolidays, start, new Date(start.getTime() + MAX_WALK_DAYS * DAY_MS)) / (MAX_WALK_DAYS * 1440);
    // A Mon–Fri 09:00–17:00 office is open about 40/168 of the time (less holidays).
    expect(openShare).toBeGreaterThan(0.2);
    expect(openShare).toBeLessThan(0.25);
    expect(minutes / ((end.getTime() - start.getTime()) / MINUTE_MS)).toBeCloseTo(openShare, 6);
  });

  it('when a span is within MAX_WALK_DAYS, then it is counted exactly (a year of office days)', () => {
    expect(businessMinutesBetween(calendar({ weekly: NINE_TO_FIVE }), at('2026-01-05T00:00:00+01:00'), at('2027-01-04T00:00:00+01:00'))).toBe(52 * 5 * 480);
    expect(Math.max(...walks)).toBeLessThanOrEqual(367);
  });

  it('when a year of business minutes (the largest target) is added, then the walk stays inside the window and is exact', () => {
    const due = addBusinessMinutes(officeWithHolidays, now, 525_600);
    expect(Math.max(...walks)).toBeLessThanOrEqual(MAX_WALK_DAYS + 2);
    expect(due.getTime() - now.getTime()).toBeLessThan(MAX_WALK_DAYS * DAY_MS);
    expect(businessMinutesBetween(officeWithHolidays, now, due)).toBe(525_600);
  });

  it('when more business minutes are added than the window holds, then the answer lies beyond it at the same rate, and counting back gives the minutes again', () => {
    const hourAWeek = calendar({ weekly: { wed: [['10:00', '11:00']] } });
    const due = addBusinessMinutes(hourAWeek, now, 525_600);
    expect(Math.max(...walks)).toBeLessThanOrEqual(MAX_WALK_DAYS + 2);
    expect(due.getTime()).toBeGreaterThan(now.getTime() + MAX_WALK_DAYS * DAY_MS);
    expect(businessMinutesBetween(hourAWeek, now, due)).toBeCloseTo(525_600, 3);
  });

  it('when a clock starts in year 9999 or year 0001, then it is due the right amount of open time later (not in 1901)', () => {
    expect(addBusinessMinutes(berlinOffice, at('0001-01-02T10:00:00Z'), 60).getUTCFullYear()).toBe(1);
    expect(addBusinessMinutes(officeWithHolidays, at('9999-12-31T15:30:00Z'), 120).toISOString()).toBe('+010000-01-03T09:30:00.000Z');
    expect(Math.max(...walks)).toBeLessThanOrEqual(MAX_WALK_DAYS + 2);
  });

  it('when isOpen asks about any instant, then it looks at two days', () => {
    isOpen(officeWithHolidays, at('9999-06-01T12:00:00Z'));
    expect(walks).toEqual([2]);
  });
});
