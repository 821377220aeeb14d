/**
 * Report filters, shared by the API and the console pages. Dates (YYYY-MM-DD) are local days of the
 * requested time zone and `to` is inclusive; date-times (ISO with offset) are instants and `to` is
 * exclusive. A preset (pages) wins over from/to.
 */
import { z } from 'zod';
import { DEFAULT_TIME_ZONE } from '../../i18n/translate';
import { DEFAULT_GOAL_PERCENT } from '../../domain/reports/counting';
import { parseInput } from '../../domain/parseInput';
import {
  addDays,
  GRANULARITIES,
  granularityProblem,
  isValidTimeZone,
  localDate,
  PRESETS,
  presetDates,
  rangeProblem,
  zonedToInstant,
} from '../../domain/reports/range';

const optionalUuid = z.union([z.uuid(), z.literal('').transform(() => undefined)]).optional();
const dateOrInstant = z.union([z.iso.date(), z.iso.datetime({ offset: true })]);
const optional = <T extends z.ZodType>(s: T) => z.union([s, z.literal('').transform(() => undefined)]).optional();

const baseQuery = z.object({
  from: optional(dateOrInstant),
  to: optional(dateOrInstant),
  preset: optional(z.enum(PRESETS)),
  channelId: optionalUuid,
  topicId: optionalUuid,
  teamId: optionalUuid,
  granularity: z.enum(GRANULARITIES).default('day'),
  timeZone: z.string().default(DEFAULT_TIME_ZONE).refine(isValidTimeZone, { message: 'unknown IANA time zone' }),
  compare: z
    .union([z.literal('1'), z.literal('true'), z.literal(''), z.literal('0')])
    .optional()
    .transform((v) => v === '1' || v === 'true'),
  goal: z.coerce.number().int().min(1).max(100).default(DEFAULT_GOAL_PERCENT),
});

export type ResolvedReportQuery = {
  from: Date;
  to: Date;
  fromDate: string;
  toDate: string;
  timeZone: string;
  granularity: 'hour' | 'day' | 'week';
  channelId?: string | undefined;
  topicId?: string | undefined;
  teamId?: string | undefined;
  preset?: string | undefined;
  compare: boolean;
  goal: number;
};

export const reportQuery = baseQuery.transform((q, ctx): ResolvedReportQuery => {
  const now = new Date();
  const tz = q.timeZone;
  let fromDate: string;
  let toDate: string;
  let from: Date;
  let to: Date;
  if (q.preset) {
    ({ fromDate, toDate } = presetDates(q.preset, tz, now));
    from = zonedToInstant(tz, fromDate);
    to = zonedToInstant(tz, addDays(toDate, 1));
  } else {
    const today = localDate(tz, now);
    const toRaw = q.to ?? today;
    const fromRaw = q.from ?? addDays(toRaw.length === 10 ? toRaw : localDate(tz, new Date(toRaw)), -29);
    from = fromRaw.length === 10 ? zonedToInstant(tz, fromRaw) : new Date(fromRaw);
    to = toRaw.length === 10 ? zonedToInstant(tz, addDays(toRaw, 1)) : new Date(toRaw);
    fromDate = fromRaw.length === 10 ? fromRaw : localDate(tz, from);
    toDate = toRaw.length === 10 ? toRaw : localDate(tz, new Date(to.getTime() - 1));
  }
  const problem = rangeProblem(from, to);
  if (problem) {
    ctx.addIssue({ code: 'custom', path: [problem.startsWith('from') ? 'from' : 'to'], message: problem });
    return z.NEVER;
  }
  const coarser = granularityProblem(q.granularity, from, to);
  if (coarser) {
    ctx.addIssue({ code: 'custom', path: ['granularity'], message: coarser });
    return z.NEVER;
  }
  return {
    from,
    to,
    fromDate,
    toDate,
    timeZone: tz,
    granularity: q.granularity,
    channelId: q.channelId,
    topicId: q.topicId,
    teamId: q.teamId,
    preset: q.preset,
    compare: q.compare,
    goal: q.goal,
  };
});

/**
 * A console page's filters: the last 30 days unless dates are asked for; hour buckets over more than a
 * month are shown by day instead (`coarsened`, for a notice). The time zones on offer keep the chosen one.
 */
export function resolvePageFilters(query: Record<string, unknown>) {
  const raw = { preset: query.from || query.to ? undefined : 'last30', ...query };
  const coarsened = query.granularity === 'hour' && reportQuery.safeParse(raw).error?.issues.some((i) => i.path[0] === 'granularity') === true;
  const q = parseInput(reportQuery, coarsened ? { ...raw, granularity: 'day' } : raw, 'filter');
  const zones = COMMON_ZONES.includes(q.timeZone) ? COMMON_ZONES : [q.timeZone, ...COMMON_ZONES];
  return { q, coarsened, zones };
}
const COMMON_ZONES = ['Europe/Berlin', 'Europe/Vienna', 'Europe/Zurich', 'Europe/London', 'UTC', 'America/New_York', 'Asia/Tokyo'];

export const drilldownQuery = z.object({
  bucket: z.string().regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:00)?$/, 'YYYY-MM-DD or YYYY-MM-DDTHH:00'),
  channelId: optionalUuid,
  topicId: optionalUuid,
  granularity: z.enum(GRANULARITIES).default('day'),
  timeZone: z.string().default(DEFAULT_TIME_ZONE).refine(isValidTimeZone, { message: 'unknown IANA time zone' }),
});

export const REPORT_NAMES = ['sla', 'response-times', 'volume', 'backlog', 'people'] as const;
