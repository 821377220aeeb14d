/**
 * Managing service levels: calendars, SLA policies, a channel's calendar and policy, and a breach
 * reason on a breached post. Each command writes its change and an audit event (before/after) in the
 * caller's transaction. A changed policy applies to posts that arrive afterwards.
 */
import type { Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import type { AuditAction } from '../audit/actions';
import {
  findCalendar,
  findPolicy,
  insertCalendar,
  insertPolicy,
  lockBreachedPost,
  lockCalendar,
  lockChannelSla,
  lockPolicy,
  lockTopic,
  setBreachReason,
  setChannelSla,
  setTopicPolicy,
  updateCalendar,
  updatePolicy,
  type PolicyValues,
} from '../../db/repositories/sla.repo';
import { BadRequest, Conflict, LocalizedBadRequest, NotFound } from '../../errors';
import type { Translate } from '../../i18n/translate';
import type { Actor } from '../audit/actor';
import { CalendarValidationError, parseCalendarDefinition, type CalendarDefinition, type CalendarOverlap } from './calendar';

/** A refused calendar in the user's language: each overlap by its day, or that the entries need checking. */
function calendarProblemText(overlaps: CalendarOverlap[], t: Translate): string {
  if (!overlaps.length) return t('form.invalid');
  return overlaps
    .map(({ weekday, date, first, second }) => t('sla.calendar.overlap', { day: weekday ? t(`sla.weekday.${weekday}`) : (date ?? ''), first, second }))
    .join(' ');
}

/** Validates a calendar; invalid → 400 naming every problem (e.g. "weekly.mon: intervals … overlap"). */
export function validCalendar(input: unknown): CalendarDefinition {
  try {
    return parseCalendarDefinition(input);
  } catch (err) {
    if (err instanceof CalendarValidationError) {
      throw new LocalizedBadRequest(err.message, (t) => calendarProblemText(err.overlaps, t), { problems: err.problems });
    }
    throw err;
  }
}

export function presentCalendarRow(row: { id: string; name: string; definition: unknown; createdAt: Date; updatedAt: Date }) {
  const def = row.definition as CalendarDefinition;
  return {
    id: row.id,
    name: row.name,
    timeZone: def.timeZone,
    weekly: def.weekly,
    holidays: def.holidays ?? null,
    closures: def.closures ?? [],
    extraOpenings: def.extraOpenings ?? [],
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function presentPolicyRow(p: Awaited<ReturnType<typeof findPolicy>> & object) {
  return {
    id: p.id,
    name: p.name,
    calendarId: p.calendarId,
    firstResponseMinutes: p.firstResponseMinutes,
    nextResponseMinutes: p.nextResponseMinutes,
    resolutionMinutes: p.resolutionMinutes,
    warnAtPercent: p.warnAtPercent,
    pauseWhenSaved: p.pauseWhenSaved,
    botsCountAsResponse: p.botsCountAsResponse,
    updatedAt: p.updatedAt.toISOString(),
  };
}

const audit = (
  actor: Actor,
  action: AuditAction,
  subjectType: string,
  subjectId: string,
  before: unknown,
  after: unknown,
  channelId: string | null = null,
) => ({ actor, action, subjectType, subjectId, before, after, channelId });

export async function createCalendar(tx: Tx, input: unknown, actor: Actor) {
  const def = validCalendar(input);
  const row = await insertCalendar(tx, { name: def.name, definition: def });
  await appendAudit(tx, audit(actor, 'calendar.created', 'calendar', row.id, null, presentCalendarRow(row)));
  return presentCalendarRow(row);
}

export async function changeCalendar(tx: Tx, id: string, input: unknown, actor: Actor) {
  const def = validCalendar(input);
  const current = await lockCalendar(tx, id);
  if (!current) throw new NotFound('Calendar');
  const row = await updateCalendar(tx, id, { name: def.name, definition: def });
  await appendAudit(tx, audit(actor, 'calendar.updated', 'calendar', id, presentCalendarRow(current), presentCalendarRow(row)));
  return presentCalendarRow(row);
}

/** A calendar or policy that may be chosen for something new: it exists and is not retired. */
const live = <T extends { retiredAt: Date | null }>(row: T | undefined) => (row && !row.retiredAt ? row : undefined);

async function checkPolicyRefs(tx: Tx, p: PolicyValues) {
  if (p.calendarId && !live(await findCalendar(tx, p.calendarId))) {
    throw new BadRequest(`calendarId: no calendar ${p.calendarId}`, { fields: { calendarId: 'unknown calendar' } });
  }
}

export async function createPolicy(tx: Tx, input: PolicyValues, actor: Actor) {
  await checkPolicyRefs(tx, input);
  const row = await insertPolicy(tx, input);
  await appendAudit(tx, audit(actor, 'sla_policy.created', 'sla_policy', row.id, null, presentPolicyRow(row)));
  return presentPolicyRow(row);
}

export async function changePolicy(tx: Tx, id: string, input: PolicyValues, actor: Actor) {
  const current = await lockPolicy(tx, id);
  if (!current) throw new NotFound('SLA policy');
  await checkPolicyRefs(tx, input);
  const row = await updatePolicy(tx, id, input);
  await appendAudit(tx, audit(actor, 'sla_policy.updated', 'sla_policy', id, presentPolicyRow(current), presentPolicyRow(row)));
  return presentPolicyRow(row);
}

export async function changeChannelSla(tx: Tx, channelId: string, input: { calendarId?: string | null; slaPolicyId?: string | null }, actor: Actor) {
  const current = await lockChannelSla(tx, channelId);
  if (!current) throw new NotFound('Channel');
  if (input.calendarId && !live(await findCalendar(tx, input.calendarId))) {
    throw new BadRequest(`calendarId: no calendar ${input.calendarId}`, { fields: { calendarId: 'unknown calendar' } });
  }
  if (input.slaPolicyId && !live(await findPolicy(tx, input.slaPolicyId))) {
    throw new BadRequest(`slaPolicyId: no SLA policy ${input.slaPolicyId}`, { fields: { slaPolicyId: 'unknown SLA policy' } });
  }
  const before = { calendarId: current.calendarId, slaPolicyId: current.slaPolicyId };
  const after = { ...before, ...input };
  await setChannelSla(tx, channelId, input);
  await appendAudit(tx, audit(actor, 'channel.sla_changed', 'channel', channelId, before, after, channelId));
  return { id: channelId, name: current.name, ...after };
}

/** A tracked topic's own policy, which wins over its channel's; null: the channel's applies. */
export async function changeTopicSla(tx: Tx, topicId: string, input: { slaPolicyId: string | null }, actor: Actor) {
  const topic = await lockTopic(tx, topicId);
  if (!topic) throw new NotFound('Topic');
  if (input.slaPolicyId && !live(await findPolicy(tx, input.slaPolicyId))) {
    throw new BadRequest(`slaPolicyId: no SLA policy ${input.slaPolicyId}`, { fields: { slaPolicyId: 'unknown SLA policy' } });
  }
  await setTopicPolicy(tx, topicId, input.slaPolicyId);
  await appendAudit(
    tx,
    audit(
      actor,
      'topic.sla_changed',
      'topic',
      topicId,
      { name: topic.name, slaPolicyId: topic.slaPolicyId },
      { name: topic.name, slaPolicyId: input.slaPolicyId },
      topic.channelId,
    ),
  );
  return { id: topicId, name: topic.name, slaPolicyId: input.slaPolicyId };
}

/** A manager's explanation for a breach; only a breached post takes one. */
export async function recordBreachReason(tx: Tx, messageId: string, reason: string, actor: Actor) {
  const post = await lockBreachedPost(tx, messageId);
  if (!post) throw new NotFound('Message');
  if (post.slaState !== 'breached') throw new Conflict('Only a breached post takes a breach reason').showing('sla.breachReason.onlyBreached');
  await setBreachReason(tx, messageId, reason);
  await appendAudit(tx, {
    actor,
    action: 'sla.breach_reason',
    channelId: post.channelId,
    subjectType: 'conversation',
    subjectId: post.conversationId,
    before: { messageId, breachReason: post.breachReason },
    after: { messageId, breachReason: reason },
  });
  return { conversationId: post.conversationId };
}
