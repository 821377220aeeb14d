/** Inputs of the service-level API and settings page. Calendars are validated by domain/sla/calendar.ts. */
import { z } from 'zod';

/** A calendar body: holidays and closures may be left out (none). */
export const calendarBody = z.looseObject({
  holidays: z
    .unknown()
    .optional()
    .transform((v) => v ?? null),
  closures: z
    .unknown()
    .optional()
    .transform((v) => v ?? []),
});

const minutes = (what: string) =>
  z
    .number({ error: `${what} must be a number of minutes` })
    .int(`${what} must be whole minutes`)
    .min(1, `${what} must be at least 1 minute`)
    .max(525_600, `${what} must be at most a year`);

export const policyBody = z.strictObject({
  name: z.string().trim().min(1, 'name must not be empty').max(200),
  calendarId: z.uuid().nullable().default(null),
  firstResponseMinutes: minutes('firstResponseMinutes'),
  nextResponseMinutes: minutes('nextResponseMinutes'),
  resolutionMinutes: minutes('resolutionMinutes').nullable().default(null),
  warnAtPercent: z.number().int().min(1, 'warnAtPercent must be 1–99').max(99, 'warnAtPercent must be 1–99').default(80),
  pauseWhenSaved: z.boolean().default(false),
  botsCountAsResponse: z.boolean().default(false),
});

export const channelSlaBody = z
  .strictObject({
    calendarId: z.uuid().nullable().optional(),
    slaPolicyId: z.uuid().nullable().optional(),
  })
  .refine((b) => b.calendarId !== undefined || b.slaPolicyId !== undefined, 'give calendarId and/or slaPolicyId');

export const topicSlaBody = z.strictObject({ slaPolicyId: z.uuid().nullable() });

export const breachReasonBody = z.object({
  reason: z.string().trim().min(1, 'the reason is empty').max(2_000, 'the reason is too long'),
});

// ---- the settings page's forms (urlencoded) → the same inputs the API takes -------------------------

type Form = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
export const WEEKDAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** Every value of a repeated form field (one value arrives as a string, several as an array). */
const list = (v: unknown): string[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]).map(str);

type Interval = [string, string];
/** A calendar as the settings page's editor shows it: one row per interval, closure and extra opening. */
export type CalendarDraft = {
  name: string;
  timeZone: string;
  holidays: string;
  weekly: Record<(typeof WEEKDAY_KEYS)[number], Interval[]>;
  closures: string[];
  openings: { date: string; from: string; to: string }[];
};

/** Rows the user left empty are dropped; a half-filled one is kept for validation to name. */
const pairs = (from: string[], to: string[]): Interval[] => from.map((f, i): Interval => [f, to[i] ?? '']).filter(([f, t]) => f !== '' || t !== '');

/** The editor's fields (`mon_from`/`mon_to` per interval, `closure`, `opening_date`/`opening_from`/`opening_to`) as a draft. */
export function calendarDraftFromForm(body: Form): CalendarDraft {
  const openingDates = list(body.opening_date);
  const openingTo = list(body.opening_to);
  return {
    name: str(body.name),
    timeZone: str(body.timeZone),
    holidays: str(body.holidays).toUpperCase(),
    weekly: Object.fromEntries(WEEKDAY_KEYS.map((day) => [day, pairs(list(body[`${day}_from`]), list(body[`${day}_to`]))])) as CalendarDraft['weekly'],
    closures: list(body.closure).filter(Boolean),
    openings: list(body.opening_from)
      .map((from, i) => ({ date: openingDates[i] ?? '', from, to: openingTo[i] ?? '' }))
      .filter((o) => o.date || o.from || o.to),
  };
}

/** A stored calendar as a draft for the editor. */
export function calendarDraftOf(cal: {
  name: string;
  timeZone: string;
  weekly: Partial<Record<(typeof WEEKDAY_KEYS)[number], Interval[]>>;
  holidays: { country: string; region?: string } | null;
  closures: string[];
  extraOpenings: { date: string; intervals: Interval[] }[];
}): CalendarDraft {
  return {
    name: cal.name,
    timeZone: cal.timeZone,
    holidays: cal.holidays ? cal.holidays.country + (cal.holidays.region ? `-${cal.holidays.region}` : '') : '',
    weekly: Object.fromEntries(
      WEEKDAY_KEYS.map((day) => [day, (cal.weekly[day] ?? []).map(([from, to]): Interval => [from, shownEnd(to)])]),
    ) as CalendarDraft['weekly'],
    closures: cal.closures,
    openings: cal.extraOpenings.flatMap((o) => o.intervals.map(([from, to]) => ({ date: o.date, from, to: shownEnd(to) }))),
  };
}

/** A time field cannot show 24:00: the editor shows the end of the day as 00:00 (an interval ending at midnight), and stores it as 24:00. */
const shownEnd = (to: string) => (to === '24:00' ? '00:00' : to);
const storedEnd = (to: string) => (to === '00:00' ? '24:00' : to);

/** The editor's form → the calendar definition the API takes (validated by domain/sla/calendar.ts). */
export function calendarFromForm(body: Form) {
  const d = calendarDraftFromForm(body);
  const [country, region] = d.holidays.split('-');
  const openings = new Map<string, Interval[]>();
  for (const o of d.openings) openings.set(o.date, [...(openings.get(o.date) ?? []), [o.from, storedEnd(o.to)]]);
  return {
    name: d.name,
    timeZone: d.timeZone,
    weekly: Object.fromEntries(
      Object.entries(d.weekly)
        .filter(([, intervals]) => intervals.length > 0)
        .map(([day, intervals]) => [day, intervals.map(([from, to]) => [from, storedEnd(to)])]),
    ),
    holidays: d.holidays ? (region ? { country, region } : { country }) : null,
    closures: d.closures,
    extraOpenings: [...openings].map(([date, intervals]) => ({ date, intervals })),
  };
}

const numberOrText = (v: unknown) => (str(v) === '' ? null : Number.isFinite(Number(str(v))) ? Number(str(v)) : str(v));

export function policyFromForm(body: Form) {
  return {
    name: str(body.name),
    calendarId: str(body.calendarId) || null,
    firstResponseMinutes: numberOrText(body.firstResponseMinutes),
    nextResponseMinutes: numberOrText(body.nextResponseMinutes),
    resolutionMinutes: numberOrText(body.resolutionMinutes),
    warnAtPercent: numberOrText(body.warnAtPercent) ?? 80,
    pauseWhenSaved: body.pauseWhenSaved === 'on',
    botsCountAsResponse: body.botsCountAsResponse === 'on',
  };
}

export function channelSlaFromForm(body: Form) {
  return { calendarId: str(body.calendarId) || null, slaPolicyId: str(body.slaPolicyId) || null };
}
