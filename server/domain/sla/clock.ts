/**
 * Starting and stopping the SLA clock of inbound posts; called inside the ingest and reply
 * transactions. The rules themselves live in policy.ts.
 */
import type { Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import {
  countInboundBefore, findPolicyWithCalendar, lockAwaitingPosts, markResponded, policyIdsFor, refreshConversationDue,
  setConversationSlaTargets, setMessageClock,
} from '../../db/repositories/sla.repo';
import type { Actor } from '../audit/actor';
import type { Effects } from '../effects';
import { compiledCalendarOf } from './calendarCache';
import { applicablePolicyId, resolutionDueAt, slaKindFor, startClock, timeResponse } from './policy';

export type StartClockInput = {
  messageId: string;
  conversationId: string;
  channelId: string;
  topicId: string | null;
  postedAt: Date;
};

/** Gives a new inbound post its due and warning instants and schedules both timers. */
export async function startSlaClock(tx: Tx, effects: Effects, input: StartClockInput): Promise<void> {
  const { channel, topic } = await policyIdsFor(tx, input.channelId, input.topicId);
  const policyId = applicablePolicyId(channel, topic);
  if (!policyId) return;
  const policy = await findPolicyWithCalendar(tx, policyId);
  if (!policy) return;
  const cal = compiledCalendarOf(policy);
  const isFirst = (await countInboundBefore(tx, input.conversationId, input.messageId)) === 0;
  const clock = startClock(cal, policy, slaKindFor(isFirst), input.postedAt);
  await setMessageClock(tx, input.messageId, { slaPolicyId: policy.id, slaKind: clock.kind, slaDueAt: clock.dueAt, slaWarnAt: clock.warnAt });
  if (clock.kind === 'first') {
    await setConversationSlaTargets(tx, input.conversationId, {
      slaPolicyId: policy.id, firstResponseDueAt: clock.dueAt, resolutionDueAt: resolutionDueAt(cal, policy, input.postedAt),
    });
  }
  await refreshConversationDue(tx, input.conversationId);
  effects.enqueue({ name: 'sla-warning', data: { messageId: input.messageId, runAt: clock.warnAt.toISOString() } });
  effects.enqueue({ name: 'sla-breach', data: { messageId: input.messageId, runAt: clock.dueAt.toISOString() } });
}

export type StopClockInput = {
  conversationId: string;
  channelId: string;
  /** the outbound reply that answers */
  replyMessageId: string;
  respondedAt: Date;
  /** assignee when the answer came: responsible for a breach no timer recorded yet */
  assigneeId: string | null;
};

/**
 * An outbound reply answers every post of the conversation still awaiting an answer: each gets its
 * response time in business and wall minutes and its final state; their pending timers are cancelled.
 */
export async function stopSlaClocks(tx: Tx, effects: Effects, input: StopClockInput, actor: Actor): Promise<number> {
  const awaiting = await lockAwaitingPosts(tx, input.conversationId, input.respondedAt);
  if (awaiting.length === 0) return 0;
  const answered = [];
  for (const post of awaiting) {
    const policy = post.slaPolicyId ? await findPolicyWithCalendar(tx, post.slaPolicyId) : undefined;
    const cal = policy ? compiledCalendarOf(policy) : null;
    const timing = timeResponse(cal, { postedAt: post.postedAt, dueAt: post.slaDueAt! }, input.respondedAt);
    const alreadyBreached = post.slaState === 'breached';
    const state = alreadyBreached ? 'breached' : timing.state;
    await markResponded(tx, post.id, {
      respondedAt: input.respondedAt, responseMessageId: input.replyMessageId, slaState: state,
      businessMinutesToRespond: timing.businessMinutes, wallMinutesToRespond: timing.wallMinutes,
      ...(state === 'breached' && !alreadyBreached ? { breachedAt: post.slaDueAt!, breachResponsibleUserId: input.assigneeId } : {}),
    });
    answered.push({ messageId: post.id, state, businessMinutes: timing.businessMinutes, wallMinutes: timing.wallMinutes });
    effects.cancel({ name: 'sla-warning', data: { messageId: post.id, runAt: post.slaWarnAt?.toISOString() ?? '' } });
    effects.cancel({ name: 'sla-breach', data: { messageId: post.id, runAt: post.slaDueAt!.toISOString() } });
  }
  await refreshConversationDue(tx, input.conversationId);
  await appendAudit(tx, {
    actor, action: 'sla.responded', channelId: input.channelId, subjectType: 'conversation', subjectId: input.conversationId,
    after: { replyMessageId: input.replyMessageId, respondedAt: input.respondedAt.toISOString(), posts: answered },
  });
  return answered.length;
}
