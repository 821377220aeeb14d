/**
 * A stored reply goes on its way to the customer: audited as queued, the SLA clocks it answers stop at this
 * moment, the conversation is answered, and the outbound worker gets the job after commit. Called by
 * queueReply for a reply that needs no approval, and by approveReply when an approver lets one go.
 */
import type { Tx } from '../../db/client';
import type { Conversation } from '../../db/schema';
import { appendAudit } from '../../db/repositories/audit.repo';
import { updateConversation } from '../../db/repositories/conversations.repo';
import type { Actor } from '../audit/actor';
import { statusAfterReply } from '../conversations/status';
import type { Effects } from '../effects';
import { stopSlaClocks } from '../sla/clock';
import { applySlaPause } from '../sla/pause';

export type ReleasedReply = { id: string; postedAt: Date; length: number; authorUserId: string | null };

/** `conversation`: locked by the caller; `reply.postedAt`: the moment it is queued, which stops the clocks. */
export async function releaseReply(
  tx: Tx,
  effects: Effects,
  conversation: Pick<Conversation, 'id' | 'channelId' | 'status' | 'assigneeId'>,
  reply: ReleasedReply,
  actor: Actor,
): Promise<void> {
  const audit = { actor, channelId: conversation.channelId, subjectType: 'conversation', subjectId: conversation.id };
  const byAnother = reply.authorUserId && reply.authorUserId !== actor.id ? { authorUserId: reply.authorUserId } : {};
  await appendAudit(tx, { ...audit, action: 'reply.queued', after: { messageId: reply.id, length: reply.length, ...byAnother } });
  // A saved conversation's paused clocks run again (moved by the pause) before the reply stops them.
  const status = statusAfterReply();
  await applySlaPause(tx, {
    conversationId: conversation.id,
    channelId: conversation.channelId,
    from: conversation.status,
    to: status,
    actor,
    now: reply.postedAt,
  });
  // SLA: the reply answers every post still awaiting an answer, at the moment it is queued (domain/sla/policy.ts).
  await stopSlaClocks(
    tx,
    {
      conversationId: conversation.id,
      channelId: conversation.channelId,
      replyMessageId: reply.id,
      respondedAt: reply.postedAt,
      assigneeId: conversation.assigneeId,
    },
    actor,
  );
  await updateConversation(tx, conversation.id, { status });
  if (status !== conversation.status) {
    await appendAudit(tx, { ...audit, action: 'conversation.status_changed', before: { status: conversation.status }, after: { status } });
  }
  effects.enqueue({ name: 'deliver-reply', data: { messageId: reply.id } });
}
