/**
 * Alert rules as managers set them, and acknowledging an alert. A rule names what it watches (scope), its
 * thresholds (params) and where its alerts go (console, e-mail, Web Push).
 *
 * - volume_spike: scope {queryId} or {channelId}; params windowMinutes (60), sensitivity (3: how many
 *   times the usual volume), minCount (10: never fewer posts), cooldownMinutes (60);
 * - negative_dip: scope {queryId} or {channelId}; params windowMinutes (60), risePoints (20: percentage
 *   points of negative posts above the usual share), minCount (10), cooldownMinutes (60);
 * - sla_warning / sla_breach: scope {channelId?, topicId?, teamId?} (empty: every conversation);
 *   params cooldownMinutes (repeats for one conversation are bundled);
 * - channel_failure: scope {channelId?} (empty: every channel); params silentMinutes (240), gapFactor (3),
 *   failureCount (3), failedReplies (3), windowMinutes (60: where failed replies count), cooldownMinutes (120);
 * - audit_break: no scope; params cooldownMinutes (60).
 * Every change is audited; a deleted rule stops watching, its alerts stay.
 */
import { z } from 'zod';
import type { Tx } from '../../db/client';
import { acknowledge, deleteAlertRule, insertAlertRule, lockAlertRule, updateAlertRule } from '../../db/repositories/alerts.repo';
import { appendAudit } from '../../db/repositories/audit.repo';
import { BadRequest, Conflict, NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import type { Effects } from '../effects';
import { parseInput } from '../parseInput';

export const SPIKE_DEFAULTS = { windowMinutes: 60, sensitivity: 3, minCount: 10, cooldownMinutes: 60 };
export const DIP_DEFAULTS = { windowMinutes: 60, risePoints: 20, minCount: 10, cooldownMinutes: 60 };
export const SLA_DEFAULTS = { cooldownMinutes: 60 };
export const CHANNEL_FAILURE_DEFAULTS = { silentMinutes: 240, gapFactor: 3, failureCount: 3, failedReplies: 3, windowMinutes: 60, cooldownMinutes: 120 };
export const AUDIT_BREAK_DEFAULTS = { cooldownMinutes: 60 };

export const ALERT_KINDS = ['volume_spike', 'negative_dip', 'sla_warning', 'sla_breach', 'channel_failure', 'audit_break'] as const;

const paths = z
  .array(z.enum(['console', 'email', 'push']))
  .min(1)
  .max(3)
  .transform((p) => [...new Set(p)]);
const whole = (min: number, max: number, fallback: number) => z.number().int().min(min).max(max).default(fallback);
const windowMinutes = (fallback: number) => whole(5, 1440, fallback);
const cooldownMinutes = (fallback: number) => whole(1, 10_080, fallback);
/** A query's matches or a channel's inbound posts. */
const postScope = z.union([z.object({ queryId: z.uuid() }).strict(), z.object({ channelId: z.uuid() }).strict()]);

export const alertRuleInput = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('volume_spike'),
      scope: postScope,
      windowMinutes: windowMinutes(SPIKE_DEFAULTS.windowMinutes),
      sensitivity: z.number().min(1).max(100).default(SPIKE_DEFAULTS.sensitivity),
      minCount: whole(1, 1_000_000, SPIKE_DEFAULTS.minCount),
      cooldownMinutes: cooldownMinutes(SPIKE_DEFAULTS.cooldownMinutes),
      channels: paths,
    })
    .strict(),
  z
    .object({
      kind: z.literal('negative_dip'),
      scope: postScope,
      windowMinutes: windowMinutes(DIP_DEFAULTS.windowMinutes),
      risePoints: z.number().min(1).max(100).default(DIP_DEFAULTS.risePoints),
      minCount: whole(1, 1_000_000, DIP_DEFAULTS.minCount),
      cooldownMinutes: cooldownMinutes(DIP_DEFAULTS.cooldownMinutes),
      channels: paths,
    })
    .strict(),
  z
    .object({
      kind: z.enum(['sla_warning', 'sla_breach']),
      scope: z.object({ channelId: z.uuid().optional(), topicId: z.uuid().optional(), teamId: z.uuid().optional() }).strict().default({}),
      cooldownMinutes: cooldownMinutes(SLA_DEFAULTS.cooldownMinutes),
      channels: paths,
    })
    .strict(),
  z
    .object({
      kind: z.literal('channel_failure'),
      scope: z.object({ channelId: z.uuid().optional() }).strict().default({}),
      silentMinutes: whole(5, 43_200, CHANNEL_FAILURE_DEFAULTS.silentMinutes),
      gapFactor: z.number().min(1).max(100).default(CHANNEL_FAILURE_DEFAULTS.gapFactor),
      failureCount: whole(1, 1000, CHANNEL_FAILURE_DEFAULTS.failureCount),
      failedReplies: whole(1, 10_000, CHANNEL_FAILURE_DEFAULTS.failedReplies),
      windowMinutes: windowMinutes(CHANNEL_FAILURE_DEFAULTS.windowMinutes),
      cooldownMinutes: cooldownMinutes(CHANNEL_FAILURE_DEFAULTS.cooldownMinutes),
      channels: paths,
    })
    .strict(),
  z
    .object({
      kind: z.literal('audit_break'),
      scope: z.object({}).strict().default({}),
      cooldownMinutes: cooldownMinutes(AUDIT_BREAK_DEFAULTS.cooldownMinutes),
      channels: paths,
    })
    .strict(),
]);
export type AlertRuleInput = z.output<typeof alertRuleInput>;

type By = { actor: Actor; userId: string };

function split(input: AlertRuleInput) {
  const { kind, scope, channels, ...params } = input;
  return { kind, scope: scope as Record<string, string>, channels, params: params as Record<string, number> };
}

export async function createAlertRule(tx: Tx, raw: z.input<typeof alertRuleInput>, by: By) {
  const { kind, scope, channels, params } = split(parseInput(alertRuleInput, raw, 'alert rule'));
  const row = await insertAlertRule(tx, { kind, scope, params, channels, createdBy: by.userId });
  await appendAudit(tx, {
    actor: by.actor,
    action: 'alert_rule.created',
    subjectType: 'alert_rule',
    subjectId: row.id,
    after: { kind, scope, params, channels },
  });
  return row;
}

/** Replaces a rule's scope, thresholds and paths (its kind stays: another kind is another rule). */
export async function editAlertRule(tx: Tx, ruleId: string, raw: z.input<typeof alertRuleInput>, by: By) {
  const { kind, scope, channels, params } = split(parseInput(alertRuleInput, raw, 'alert rule'));
  const before = await lockAlertRule(tx, ruleId);
  if (!before) throw new NotFound('Alert rule');
  if (before.kind !== kind) throw new BadRequest('The kind of a rule cannot change; delete it and create another', { fields: { kind: 'fixed' } });
  const row = await updateAlertRule(tx, ruleId, { scope, params, channels });
  await appendAudit(tx, {
    actor: by.actor,
    action: 'alert_rule.updated',
    subjectType: 'alert_rule',
    subjectId: ruleId,
    before: { scope: before.scope, params: before.params, channels: before.channels },
    after: { scope, params, channels },
  });
  return row;
}

export async function removeAlertRule(tx: Tx, ruleId: string, by: By) {
  const before = await lockAlertRule(tx, ruleId);
  if (!before) throw new NotFound('Alert rule');
  await deleteAlertRule(tx, ruleId);
  await appendAudit(tx, {
    actor: by.actor,
    action: 'alert_rule.deleted',
    subjectType: 'alert_rule',
    subjectId: ruleId,
    before: { kind: before.kind, scope: before.scope, params: before.params, channels: before.channels },
  });
  return { id: ruleId, deleted: true as const };
}

/** A person acknowledges an open alert (audited); acknowledging one twice is a 409. */
export async function acknowledgeAlert(tx: Tx, effects: Effects, alertId: string, by: By) {
  const done = await acknowledge(tx, alertId, by.userId);
  if (!done) throw new Conflict('The alert is not open (already acknowledged, or unknown)');
  await appendAudit(tx, { actor: by.actor, action: 'alert.acknowledged', subjectType: 'alert', subjectId: alertId, after: { state: 'acknowledged' } });
  effects.publish({ type: 'notification', userId: by.userId });
  return { id: alertId, state: 'acknowledged' as const };
}
