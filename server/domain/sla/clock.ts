/**
 * Stopping the SLA clock of inbound posts; called inside the reply transaction (ingestBatch.ts starts
 * the clocks). The rules themselves live in policy.ts.
 */
import type { Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import { findPolicyWithCalendar, lockAwaitingPosts, markResponded, refreshConversationDue } from '../../db/repositories/sla.repo';
import type { Actor } from '../audit/actor';
import { compiledCalendarOf } from './calendarCache';
import { timeResponse } from './policy';

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
 * response time in business and wall minutes and its final state, so the SLA sweep no longer finds them.
 */
export async function stopSlaClocks(tx: Tx, input: StopClockInput, actor: Actor): Promise<number> {
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
      respondedAt: input.respondedAt,
      responseMessageId: input.replyMessageId,
      slaState: state,
      businessMinutesToRespond: timing.businessMinutes,
      wallMinutesToRespond: timing.wallMinutes,
      ...(state === 'breached' && !alreadyBreached ? { breachedAt: post.slaDueAt!, breachResponsibleUserId: input.assigneeId } : {}),
    });
    answered.push({ messageId: post.id, state, businessMinutes: timing.businessMinutes, wallMinutes: timing.wallMinutes });
  }
  await refreshConversationDue(tx, input.conversationId);
  await appendAudit(tx, {
    actor,
    action: 'sla.responded',
    channelId: input.channelId,
    subjectType: 'conversation',
    subjectId: input.conversationId,
    after: { replyMessageId: input.replyMessageId, respondedAt: input.respondedAt.toISOString(), posts: answered },
  });
  return answered.length;
}
