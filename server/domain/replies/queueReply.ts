/**
 * An agent's reply: validated against the channel's limits and stored; the conversation's first one ends with the
 * case number and status link where that fits (caseStatus/caseFooter.ts). It goes to the outbound worker at once
 * (releaseReply.ts), or — when the author's or the channel's replies need approval (approvalPolicy.ts) — it
 * waits in `pending_approval` for an approver; the SLA clock keeps running until it is approved.
 */
import type { Connectors } from '../../../connectors/types';
import type { Tx } from '../../db/client';
import type { DeliveryState } from '../../db/schema';
import { appendAudit } from '../../db/repositories/audit.repo';
import { findCallbackRequest } from '../../db/repositories/callbacks.repo';
import { findChannel } from '../../db/repositories/channels.repo';
import { lockConversation } from '../../db/repositories/conversations.repo';
import { findLastInbound, insertMessage } from '../../db/repositories/messages.repo';
import { insertReplyApproval } from '../../db/repositories/replyApprovals.repo';
import { findUserById } from '../../db/repositories/users.repo';
import { BadRequest, NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import type { Effects } from '../effects';
import type { CaseLinkOf } from '../caseStatus/caseLink';
import { addCaseFooter } from '../caseStatus/caseFooter';
import { approvalNeeded } from './approvalPolicy';
import { prepareReply } from './prepareReply';
import { releaseReply } from './releaseReply';
import { assertNoReplyMeanwhile } from './replyCollision';

export type ReplyInput = {
  conversationId: string;
  text: string;
  author: { id: string; name: string };
  /** An approved template instead of free text (channels with a service window, e.g. WhatsApp). */
  template?: { name: string; language: string } | null;
  /** To a comment's author as a direct message instead of under the comment (Facebook, Instagram). */
  privately?: boolean;
  /** The last message the author saw; a reply stored after it by someone else refuses this one (409). */
  lastSeenMessageId?: string | null;
};

export type QueuedReply = { messageId: string; deliveryState: Extract<DeliveryState, 'queued' | 'pending_approval'> };

/** `connectors`: the registry the composition root built; the channel's connector says its limits. `caseLink`: the case's status link. */
export async function queueReply(
  tx: Tx,
  effects: Effects,
  input: ReplyInput,
  actor: Actor,
  connectors: Connectors,
  caseLink: CaseLinkOf,
): Promise<QueuedReply> {
  const conversation = await lockConversation(tx, input.conversationId);
  if (!conversation) throw new NotFound('Conversation');
  await assertNoReplyMeanwhile(tx, conversation.id, input.lastSeenMessageId);
  const channel = await findChannel(tx, conversation.channelId);
  const connector = channel && connectors.of(channel.kind);
  if (!channel || !connector) throw new BadRequest('Replies cannot be sent on this channel yet').showing('reply.unsupportedChannel');
  // a callback request left a phone number, no written channel: the answer is the call (recordCallbackAttempt)
  if (await findCallbackRequest(tx, conversation.id))
    throw new BadRequest('A callback request is answered by calling the customer').showing('reply.callbackCall');
  const author = await findUserById(tx, input.author.id);
  if (!author) throw new NotFound('User');
  const lastInbound = await findLastInbound(tx, conversation.id);
  // Empty, too long, or outside the channel's service window (WhatsApp: 24 h; templates are exempt).
  const thread: 'dm' | null = conversation.threadKey === 'dm' ? 'dm' : null;
  const prepared = prepareReply(channel, connector, input, lastInbound?.postedAt ?? null, new Date(), thread);
  const footed = { privately: Boolean(input.privately), template: Boolean(input.template), thread };
  const { text, caseFooter } = await addCaseFooter(tx, conversation, channel, connector, { text: prepared.text, ...footed }, caseLink);
  const approval = approvalNeeded(author, channel, { template: Boolean(input.template) });
  const message = await insertMessage(tx, {
    conversationId: conversation.id,
    channelId: channel.id,
    direction: 'outbound',
    externalId: null,
    inReplyToExternalId: lastInbound?.externalId ?? null,
    authorName: input.author.name,
    authorHandle: null,
    authorUserId: input.author.id,
    text,
    url: null,
    postedAt: new Date(),
    raw: prepared.raw,
    caseFooter,
    deliveryState: approval ? 'pending_approval' : 'queued',
    deliveryError: null,
    deliveredAt: null,
  });
  const length = [...text].length;
  effects.publish({ type: 'conversation', conversationId: conversation.id, channelId: channel.id, change: 'message' });
  if (!approval) {
    await releaseReply(tx, effects, conversation, { id: message.id, postedAt: message.postedAt, length, authorUserId: author.id }, actor);
    return { messageId: message.id, deliveryState: 'queued' };
  }
  await insertReplyApproval(tx, { messageId: message.id, requestedBy: author.id, requestedAt: message.postedAt });
  await appendAudit(tx, {
    actor,
    action: 'reply.submitted_for_approval',
    channelId: channel.id,
    subjectType: 'conversation',
    subjectId: conversation.id,
    after: { messageId: message.id, length, because: approval },
  });
  effects.publish({ type: 'approvals' });
  return { messageId: message.id, deliveryState: 'pending_approval' };
}
