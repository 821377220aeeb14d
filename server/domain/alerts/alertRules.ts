/**
 * Alert rules as managers set them, and acknowledging an alert. A rule names what it watches (scope), its
 * thresholds (params) and where its alerts go (console, e-mail, Web Push).
 *
 * - volume_spike: scope {queryId} or {channelId}; params windowMinutes (60), sensitivity (3: how many
 *   times the usual volume), minCount (10: never fewer posts), cooldownMinutes (60);
 * - sla_warning / sla_breach: scope {channelId?, topicId?, teamId?} (empty: every conversation);
 *   params cooldownMinutes (repeats for one conversation are bundled).
 */
import { z } from 'zod';
import type { Tx } from '../../db/client';
import { acknowledge, insertAlertRule } from '../../db/repositories/alerts.repo';
import { appendAudit } from '../../db/repositories/audit.repo';
import { Conflict } from '../../errors';
import type { Actor } from '../audit/actor';
import type { Effects } from '../effects';
import { parseInput } from '../parseInput';

export const SPIKE_DEFAULTS = { windowMinutes: 60, sensitivity: 3, minCount: 10, cooldownMinutes: 60 };
export const SLA_DEFAULTS = { cooldownMinutes: 60 };

const paths = z
  .array(z.enum(['console', 'email', 'push']))
  .min(1)
  .max(3)
  .transform((p) => [...new Set(p)]);

export const alertRuleInput = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('volume_spike'),
      scope: z.union([z.object({ queryId: z.uuid() }).strict(), z.object({ channelId: z.uuid() }).strict()]),
      windowMinutes: z.number().int().min(5).max(1440).default(SPIKE_DEFAULTS.windowMinutes),
      sensitivity: z.number().min(1).max(100).default(SPIKE_DEFAULTS.sensitivity),
      minCount: z.number().int().min(1).max(1_000_000).default(SPIKE_DEFAULTS.minCount),
      cooldownMinutes: z.number().int().min(1).max(10_080).default(SPIKE_DEFAULTS.cooldownMinutes),
      channels: paths,
    })
    .strict(),
  z
    .object({
      kind: z.enum(['sla_warning', 'sla_breach']),
      scope: z.object({ channelId: z.uuid().optional(), topicId: z.uuid().optional(), teamId: z.uuid().optional() }).strict().default({}),
      cooldownMinutes: z.number().int().min(1).max(10_080).default(SLA_DEFAULTS.cooldownMinutes),
      channels: paths,
    })
    .strict(),
]);

export async function createAlertRule(tx: Tx, raw: z.input<typeof alertRuleInput>, by: { actor: Actor; userId: string }) {
  const input = parseInput(alertRuleInput, raw, 'alert rule');
  const { kind, scope, channels, ...params } = input;
  const row = await insertAlertRule(tx, { kind, scope: scope as Record<string, string>, params, channels, createdBy: by.userId });
  await appendAudit(tx, {
    actor: by.actor,
    action: 'alert_rule.created',
    subjectType: 'alert_rule',
    subjectId: row.id,
    after: { kind, scope, params, channels },
  });
  return row;
}

/** A person acknowledges an open alert (audited); acknowledging one twice is a 409. */
export async function acknowledgeAlert(tx: Tx, effects: Effects, alertId: string, by: { actor: Actor; userId: string }) {
  const done = await acknowledge(tx, alertId, by.userId);
  if (!done) throw new Conflict('The alert is not open (already acknowledged, or unknown)');
  await appendAudit(tx, { actor: by.actor, action: 'alert.acknowledged', subjectType: 'alert', subjectId: alertId, after: { state: 'acknowledged' } });
  effects.publish({ type: 'notification', userId: by.userId });
  return { id: alertId, state: 'acknowledged' as const };
}
