/** Inputs of the service-level API and settings page. Calendars are validated by domain/sla/calendar.ts. */
import { z } from 'zod';

export const idParam = z.object({ id: z.uuid() });

/** A calendar body: holidays and closures may be left out (none). */
export const calendarBody = z.looseObject({
  holidays: z.unknown().optional().transform((v) => v ?? null),
  closures: z.unknown().optional().transform((v) => v ?? []),
});

const minutes = (what: string) => z.number({ error: `${what} must be a number of minutes` }).int(`${what} must be whole minutes`)
  .min(1, `${what} must be at least 1 minute`).max(525_600, `${what} must be at most a year`);

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
export type PolicyBody = z.infer<typeof policyBody>;

export const channelSlaBody = z.strictObject({
  calendarId: z.uuid().nullable().optional(),
  slaPolicyId: z.uuid().nullable().optional(),
}).refine((b) => b.calendarId !== undefined || b.slaPolicyId !== undefined, 'give calendarId and/or slaPolicyId');

export const breachReasonBody = z.object({
  reason: z.string().trim().min(1, 'the reason is empty').max(2_000, 'the reason is too long'),
});
