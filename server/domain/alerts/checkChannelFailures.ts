/**
 * Channel-failure rules, checked by the alert sweep every minute: each channel in a rule's scope is judged
 * by channelFailureVerdict.ts (stopped receiving, polls failing, replies failing). One alert per rule and
 * channel; while it fails, the sweep's repeats are bundled. Recipients: the managers (of the channel's
 * routing team, when it has one) and the admins, who hold the channels' credentials.
 */
import type { Tx } from '../../db/client';
import { activeRulesOf, channelStates, managersOf, usersWithRoles } from '../../db/repositories/alerts.repo';
import type { Effects } from '../effects';
import { CHANNEL_FAILURE_DEFAULTS } from './alertRules';
import { channelFailureVerdict } from './channelFailureVerdict';
import { raiseAlert, type RaiseOutcome } from './raiseAlert';

export async function checkChannelFailures(tx: Tx, effects: Effects, now: Date): Promise<RaiseOutcome[]> {
  const rules = await activeRulesOf(tx, ['channel_failure']);
  const outcomes: RaiseOutcome[] = [];
  for (const rule of rules) {
    const p = { ...CHANNEL_FAILURE_DEFAULTS, ...rule.params };
    const states = await channelStates(tx, rule.scope.channelId, new Date(now.getTime() - p.windowMinutes * 60_000), now);
    for (const c of states) {
      const verdict = channelFailureVerdict({ ...c, polling: { consecutiveFailures: c.consecutiveFailures, lastErrorKind: c.lastErrorKind } }, now, p);
      if (!verdict.failing) continue;
      const recipients = [...(await managersOf(tx, c.routingTeamId)), ...(await usersWithRoles(tx, ['admin']))];
      outcomes.push(
        await raiseAlert(
          tx,
          effects,
          {
            rule: { id: rule.id, kind: 'channel_failure', channels: rule.channels, cooldownMinutes: p.cooldownMinutes },
            subjectKey: `channel:${c.id}`,
            details: {
              subject: c.name,
              reasons: verdict.reasons.join(','),
              silentMinutes: verdict.silentMinutes,
              failures: c.consecutiveFailures,
              errorKind: c.lastErrorKind,
              failedReplies: c.failedReplies,
            },
            link: `/settings/channels#channel-${c.id}`,
            recipients,
          },
          now,
        ),
      );
    }
  }
  return outcomes;
}
