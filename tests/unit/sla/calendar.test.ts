import { calendarInputSchema, CalendarValidationError, parseCalendarDefinition, type CalendarDefinition } from '../../../server/domain/sla/calendar';

const officeHours: [string, string][] = [['09:00', '17:00']];

function berlinOffice(overrides: Partial<CalendarDefinition> = {}): CalendarDefinition {
  return {
    name: 'Berlin office',
    timeZone: 'Europe/Berlin',
    weekly: { mon: officeHours, tue: officeHours, wed: officeHours, thu: officeHours, fri: officeHours },
    holidays: { country: 'DE', region: 'NW' },
    closures: ['2026-12-31'],
    ...overrides,
  };
}

function errorThrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

function messagesFor(input: unknown): string[] {
  const result = calendarInputSchema.safeParse(input);
  return result.success ? [] : result.error.issues.map((issue) => issue.message);
}

describe('calendarInputSchema accepts', () => {
  it('Berlin office hours with DE-NW holidays and a closure', () => {
    expect(messagesFor(berlinOffice())).toEqual([]);
  });

  it('a 24/7 calendar', () => {
    const allDay: [string, string][] = [['00:00', '24:00']];
    const weekly = { mon: allDay, tue: allDay, wed: allDay, thu: allDay, fri: allDay, sat: allDay, sun: allDay };
    expect(messagesFor({ name: '24/7', timeZone: 'UTC', weekly, holidays: null, closures: [] })).toEqual([]);
  });

  it('intervals crossing midnight, including from Sunday into Monday', () => {
    const weekly: CalendarDefinition['weekly'] = {
      sun: [['22:00', '06:00']],
      mon: [
        ['06:00', '14:00'],
        ['22:00', '00:00'],
      ],
      tue: [['00:00', '02:00']],
    };
    expect(messagesFor(berlinOffice({ weekly }))).toEqual([]);
  });

  it('touching intervals and a country without region', () => {
    const weekly: CalendarDefinition['weekly'] = {
      mon: [
        ['09:00', '12:00'],
        ['12:00', '17:00'],
      ],
    };
    expect(messagesFor(berlinOffice({ weekly, holidays: { country: 'US' } }))).toEqual([]);
  });

  it('extra openings, also on a leap day and crossing midnight', () => {
    const extraOpenings: CalendarDefinition['extraOpenings'] = [
      { date: '2028-02-29', intervals: [['10:00', '14:00']] },
      { date: '2026-12-31', intervals: [['22:00', '02:00']] },
      { date: '2027-01-01', intervals: [['02:00', '04:00']] },
    ];
    expect(messagesFor(berlinOffice({ extraOpenings }))).toEqual([]);
  });
});

describe('calendarInputSchema rejects', () => {
  it.each([
    ['Mars/Olympus_Mons', 'timeZone: unknown time zone Mars/Olympus_Mons'],
    ['', 'timeZone: unknown time zone '],
  ])('time zone %j', (timeZone, message) => {
    expect(messagesFor(berlinOffice({ timeZone }))).toEqual([message]);
  });

  it.each([
    [['9:00', '17:00'], 'weekly.mon: malformed time "9:00" (expected HH:MM from 00:00 to 24:00)'],
    [['09:00', '24:30'], 'weekly.mon: malformed time "24:30" (expected HH:MM from 00:00 to 24:00)'],
    [['09:60', '17:00'], 'weekly.mon: malformed time "09:60" (expected HH:MM from 00:00 to 24:00)'],
    [['24:00', '06:00'], 'weekly.mon: interval 24:00-06:00 cannot start at 24:00'],
    [['09:00', '09:00'], 'weekly.mon: interval 09:00-09:00 has zero length'],
  ])('interval %j', (interval, message) => {
    expect(messagesFor(berlinOffice({ weekly: { mon: [interval as [string, string]] } }))).toEqual([message]);
  });

  it('overlapping intervals on the same day', () => {
    const weekly: CalendarDefinition['weekly'] = {
      mon: [
        ['11:00', '13:00'],
        ['09:00', '12:00'],
      ],
    };
    expect(messagesFor(berlinOffice({ weekly }))).toEqual(['weekly.mon: intervals 09:00-12:00 and 11:00-13:00 overlap']);
  });

  it('an interval nested inside another', () => {
    const weekly: CalendarDefinition['weekly'] = {
      wed: [
        ['08:00', '18:00'],
        ['12:00', '13:00'],
      ],
    };
    expect(messagesFor(berlinOffice({ weekly }))).toEqual(['weekly.wed: intervals 08:00-18:00 and 12:00-13:00 overlap']);
  });

  it('a midnight-crossing interval spilling into the next day’s interval', () => {
    const weekly: CalendarDefinition['weekly'] = { mon: [['22:00', '06:00']], tue: [['05:00', '09:00']] };
    expect(messagesFor(berlinOffice({ weekly }))).toEqual(['weekly.tue: intervals 22:00-06:00 (from mon) and 05:00-09:00 overlap']);
  });

  it('a Sunday night shift spilling into Monday', () => {
    const weekly: CalendarDefinition['weekly'] = { sun: [['20:00', '10:00']], mon: [['09:00', '17:00']] };
    expect(messagesFor(berlinOffice({ weekly }))).toEqual(['weekly.mon: intervals 20:00-10:00 (from sun) and 09:00-17:00 overlap']);
  });

  it('an unknown weekday key', () => {
    const weekly = { monday: officeHours } as unknown as CalendarDefinition['weekly'];
    expect(messagesFor(berlinOffice({ weekly }))).toEqual(['Unrecognized key: "monday"']);
  });

  it.each([
    [{ country: 'XX' }, 'holidays: unknown country "XX"'],
    [{ country: 'de', region: 'NW' }, 'holidays: unknown country "de"'],
    [{ country: 'DE', region: 'ZZ' }, 'holidays: unknown region "ZZ" for country DE'],
    [{ country: 'IS', region: 'NW' }, 'holidays: unknown region "NW" for country IS'],
  ])('holidays %j', (holidays, message) => {
    expect(messagesFor(berlinOffice({ holidays }))).toEqual([message]);
  });

  it.each([
    ['2026-02-30', 'closures[1]: invalid date "2026-02-30" (expected YYYY-MM-DD)'],
    ['2027-02-29', 'closures[1]: invalid date "2027-02-29" (expected YYYY-MM-DD)'],
    ['24.12.2026', 'closures[1]: invalid date "24.12.2026" (expected YYYY-MM-DD)'],
  ])('closure %j', (date, message) => {
    expect(messagesFor(berlinOffice({ closures: ['2026-12-24', date] }))).toEqual([message]);
  });

  it('extra openings with an invalid date, a repeated date and overlaps', () => {
    const extraOpenings: CalendarDefinition['extraOpenings'] = [
      { date: '2026-13-01', intervals: [['10:00', '12:00']] },
      {
        date: '2026-12-24',
        intervals: [
          ['10:00', '12:00'],
          ['11:00', '11:30'],
        ],
      },
      { date: '2026-12-24', intervals: [['14:00', '15:00']] },
      { date: '2026-12-30', intervals: [['20:00', '02:00']] },
      {
        date: '2026-12-31',
        intervals: [
          ['01:00', '03:00'],
          ['05:00', '05:00'],
        ],
      },
    ];
    expect(messagesFor(berlinOffice({ extraOpenings }))).toEqual([
      'extraOpenings[0]: invalid date "2026-13-01" (expected YYYY-MM-DD)',
      'extraOpenings[2026-12-24]: date listed more than once',
      'extraOpenings[2026-12-31]: interval 05:00-05:00 has zero length',
      'extraOpenings[2026-12-24]: intervals 10:00-12:00 and 11:00-11:30 overlap',
      'extraOpenings[2026-12-31]: intervals 20:00-02:00 (from 2026-12-30) and 01:00-03:00 overlap',
    ]);
  });

  it('an empty name', () => {
    expect(messagesFor(berlinOffice({ name: '' }))).toEqual(['name: must not be empty']);
  });

  it('every problem at once, each at its path', () => {
    const result = calendarInputSchema.safeParse(
      berlinOffice({
        timeZone: 'Nowhere/Land',
        weekly: {
          fri: [
            ['09:00', '12:00'],
            ['10:00', '11:00'],
          ],
        },
      }),
    );
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([
      ['timeZone', 'timeZone: unknown time zone Nowhere/Land'],
      ['weekly.fri', 'weekly.fri: intervals 09:00-12:00 and 10:00-11:00 overlap'],
    ]);
  });
});

describe('parseCalendarDefinition', () => {
  it('returns the validated definition', () => {
    expect(parseCalendarDefinition(berlinOffice())).toEqual(berlinOffice());
  });

  it('throws CalendarValidationError listing custom and structural problems', () => {
    const input = { ...berlinOffice({ timeZone: 'Mars/Base' }), closures: [42] };
    const error = errorThrownBy(() => parseCalendarDefinition(input));
    expect(error).toBeInstanceOf(CalendarValidationError);
    expect((error as CalendarValidationError).problems).toEqual([
      'timeZone: unknown time zone Mars/Base',
      'closures[0]: Invalid input: expected string, received number',
    ]);
  });
});
