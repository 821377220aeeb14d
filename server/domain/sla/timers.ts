/**
 * What the SLA timers do when they fire (jobs/slaTimers.ts sweeps for them). Both are idempotent: they
 * lock the post and act only if its row still says the step is owed, so two sweeps that find the same
 * post (two workers) change it once.
 */
import type { Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import { lockTimedPost, setPostSlaState } from '../../db/repositories/sla.repo';
import { systemActor } from '../audit/actor';
import { raiseSlaAlerts, type TimedPost } from '../alerts/slaAlerts';
import type { Effects } from '../effects';

const timerActor = systemActor('worker:sla');

export type TimerOutcome = 'fired' | 'skipped';

/** At the warning instant: mark the post `warning`, audit it, notify managers' consoles. */
export async function fireSlaWarning(tx: Tx, effects: Effects, messageId: string, now: Date): Promise<TimerOutcome> {
  const post = await lockTimedPost(tx, messageId);
  if (!post || post.respondedAt || post.slaState !== 'ok' || !post.slaWarnAt || !post.slaDueAt) return 'skipped';
  // A paused clock (conversation saved, policy pauses) is not due; resuming times it again.
  if (post.slaPausedAt) return 'skipped';
  // A sweep that somehow runs early (a clock skew between hosts) does nothing; a later one fires it.
  if (now.getTime() < post.slaWarnAt.getTime() - 1_000) return 'skipped';
  await setPostSlaState(tx, messageId, { slaState: 'warning' });
  await appendAudit(tx, {
    actor: timerActor,
    action: 'sla.warning',
    channelId: post.channelId,
    subjectType: 'conversation',
    subjectId: post.conversationId,
    before: { messageId, slaState: 'ok' },
    after: { messageId, slaState: 'warning', dueAt: post.slaDueAt.toISOString() },
  });
  await announce(tx, effects, messageId, { ...post, dueAt: post.slaDueAt }, 'warning', now);
  return 'fired';
}

/** At the due instant: mark the post `breached`, recording the assignee at that moment (null = unassigned). */
export async function fireSlaBreach(tx: Tx, effects: Effects, messageId: string, now: Date): Promise<TimerOutcome> {
  const post = await lockTimedPost(tx, messageId);
  if (!post || post.respondedAt || !post.slaDueAt || (post.slaState !== 'ok' && post.slaState !== 'warning')) return 'skipped';
  if (post.slaPausedAt) return 'skipped';
  if (now.getTime() < post.slaDueAt.getTime() - 1_000) return 'skipped';
  await setPostSlaState(tx, messageId, { slaState: 'breached', breachedAt: post.slaDueAt, breachResponsibleUserId: post.assigneeId });
  await appendAudit(tx, {
    actor: timerActor,
    action: 'sla.breached',
    channelId: post.channelId,
    subjectType: 'conversation',
    subjectId: post.conversationId,
    before: { messageId, slaState: post.slaState },
    after: { messageId, slaState: 'breached', dueAt: post.slaDueAt.toISOString(), responsibleUserId: post.assigneeId },
  });
  await announce(tx, effects, messageId, { ...post, dueAt: post.slaDueAt }, 'breached', now);
  return 'fired';
}

/** A fired step reaches the consoles (the SLA event, the conversation's changed status) and the alert rules. */
async function announce(tx: Tx, effects: Effects, messageId: string, post: TimedPost, step: 'warning' | 'breached', now: Date) {
  const { conversationId, channelId, caseNumber, assigneeId } = post;
  effects.publish({ type: 'sla', event: step, conversationId, channelId, messageId, caseNumber, dueAt: post.dueAt.toISOString(), assigneeId });
  await raiseSlaAlerts(tx, effects, step === 'warning' ? 'sla_warning' : 'sla_breach', post, now);
  effects.publish({ type: 'conversation', conversationId, channelId, change: 'status' });
}
