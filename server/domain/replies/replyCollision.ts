/**
 * Collision safety for replies: a reply form carries the id of the last message its author saw. If an
 * outbound reply was stored after that one (another agent was faster), this reply is refused with 409 so
 * the customer never gets two answers. Called by queueReply after it has locked the conversation row.
 */
import type { Tx } from '../../db/client';
import { outboundReplyAfter } from '../../db/repositories/conversationState.repo';
import { BadRequest, Conflict } from '../../errors';

/** Approving a waiting reply: refused when another reply went to the customer after it was written — they would get two answers. */
export async function assertNotAnsweredSince(tx: Tx, conversationId: string, waitingMessageId: string): Promise<void> {
  const found = await outboundReplyAfter(tx, conversationId, waitingMessageId, { goneOut: true });
  if (found.seen && found.newer) {
    throw new Conflict(`${found.newer.authorName} has answered the customer meanwhile`, {
      repliedBy: found.newer.authorName,
      messageId: found.newer.id,
    }).showing('approval.answeredMeanwhile', { name: found.newer.authorName });
  }
}

export async function assertNoReplyMeanwhile(tx: Tx, conversationId: string, lastSeenMessageId: string | null | undefined): Promise<void> {
  if (!lastSeenMessageId) return;
  const found = await outboundReplyAfter(tx, conversationId, lastSeenMessageId);
  if (!found.seen) throw new BadRequest('lastSeenMessageId: not a message of this conversation', { fields: { lastSeenMessageId: 'unknown' } });
  if (found.newer) {
    throw new Conflict(`${found.newer.authorName} replied meanwhile — read their reply first`, {
      repliedBy: found.newer.authorName,
      messageId: found.newer.id,
    }).showing('reply.collision', { name: found.newer.authorName });
  }
}
