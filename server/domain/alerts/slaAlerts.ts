/**
 * SLA warning and breach alerts: when a post's SLA timer fires, the rules of that kind whose scope fits
 * the conversation (channel, topic, team) alert the assigned agent and the team's managers (all managers
 * when the conversation has no team). One alert per conversation and rule; repeats are bundled.
 */
import type { Tx } from '../../db/client';
import { activeRulesOf, managersOf } from '../../db/repositories/alerts.repo';
import type { Effects } from '../effects';
import { SLA_DEFAULTS } from './alertRules';
import { raiseAlert } from './raiseAlert';

export type TimedPost = {
  conversationId: string;
  channelId: string;
  topicId: string | null;
  teamId: string | null;
  assigneeId: string | null;
  caseNumber: string;
  dueAt: Date;
};

export async function raiseSlaAlerts(tx: Tx, effects: Effects, kind: 'sla_warning' | 'sla_breach', post: TimedPost, now: Date) {
  const rules = (await activeRulesOf(tx, [kind])).filter(
    (r) =>
      (!r.scope.channelId || r.scope.channelId === post.channelId) &&
      (!r.scope.topicId || r.scope.topicId === post.topicId) &&
      (!r.scope.teamId || r.scope.teamId === post.teamId),
  );
  if (rules.length === 0) return;
  const recipients = [...(post.assigneeId ? [post.assigneeId] : []), ...(await managersOf(tx, post.teamId))];
  for (const rule of rules) {
    await raiseAlert(
      tx,
      effects,
      {
        rule: { id: rule.id, kind, channels: rule.channels, cooldownMinutes: rule.params.cooldownMinutes ?? SLA_DEFAULTS.cooldownMinutes },
        subjectKey: `conversation:${post.conversationId}`,
        details: { caseNumber: post.caseNumber, dueAt: post.dueAt.toISOString() },
        link: `/conversations/${post.conversationId}`,
        recipients,
      },
      now,
    );
  }
}
