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

export const breachReasonBody = z.object({
  reason: z.string().trim().min(1, 'the reason is empty').max(2_000, 'the reason is too long'),
});

// ---- the settings page's forms (urlencoded) → the same inputs the API takes -------------------------

type Form = Record<string, unknown>;
const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');
export const WEEKDAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** "08:00-12:00, 13:00-18:00" → [["08:00","12:00"],["13:00","18:00"]]; a broken piece is passed on for validation to name. */
export function parseIntervalsText(text: string): [string, string][] {
  return text
    .split(/[,;]/)
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const [start = '', end = ''] = p.split(/\s*[-–]\s*/);
      return [start, end];
    });
}

export function intervalsText(intervals: [string, string][] | undefined): string {
  return (intervals ?? []).map(([a, b]) => `${a}-${b}`).join(', ');
}

export function calendarFromForm(body: Form) {
  const weekly: Record<string, [string, string][]> = {};
  for (const day of WEEKDAY_KEYS) {
    const intervals = parseIntervalsText(str(body[`weekly_${day}`]));
    if (intervals.length) weekly[day] = intervals;
  }
  const holidayText = str(body.holidays).toUpperCase();
  const [country, region] = holidayText.split('-');
  return {
    name: str(body.name),
    timeZone: str(body.timeZone),
    weekly,
    holidays: holidayText ? (region ? { country, region } : { country }) : null,
    closures: str(body.closures)
      .split(/[\s,;]+/)
      .filter(Boolean),
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
