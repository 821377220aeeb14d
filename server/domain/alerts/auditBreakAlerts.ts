/**
 * A newly found break of the audit chain as alerts: every audit_break rule raises one to the admins and
 * auditors, delivered, acknowledged and bundled like every alert (a break found again inside the cooldown
 * counts up the open alert). Returns whether some rule already tells them in the console — if none does,
 * the verifier's own notification still does (a break is never silent).
 */
import type { Tx } from '../../db/client';
import { activeRulesOf } from '../../db/repositories/alerts.repo';
import type { Effects } from '../effects';
import { AUDIT_BREAK_DEFAULTS } from './alertRules';
import { raiseAlert } from './raiseAlert';

export async function raiseAuditBreakAlerts(
  tx: Tx,
  effects: Effects,
  found: { brokenAtSeq: string; problem: string; guardians: string[] },
  now: Date,
): Promise<{ toldInConsole: boolean }> {
  const rules = await activeRulesOf(tx, ['audit_break']);
  for (const rule of rules) {
    await raiseAlert(
      tx,
      effects,
      {
        rule: {
          id: rule.id,
          kind: 'audit_break',
          channels: rule.channels,
          cooldownMinutes: rule.params.cooldownMinutes ?? AUDIT_BREAK_DEFAULTS.cooldownMinutes,
        },
        subjectKey: 'audit:chain',
        details: { brokenAtSeq: found.brokenAtSeq, problem: found.problem.slice(0, 300) },
        link: '/audit',
        recipients: found.guardians,
      },
      now,
    );
  }
  return { toldInConsole: rules.some((r) => r.channels.includes('console')) };
}
