/**
 * An approver's decision on a reply waiting for approval (approvalPolicy.ts says who may decide). Approving
 * lets the reply go — with the approver's edit, checked against the channel's limits again — through the same
 * path as any reply (releaseReply.ts: queued, SLA clocks stop now, the worker sends it). Rejecting sends it back
 * to its author with a note: they are notified and see the note and their text on the conversation.
 * Both people are in the audit trail; an edited text is kept there as personal values (docs/audit-and-erasure.md).
 */
import { z } from 'zod';
import type { Connectors } from '../../../connectors/types';
import type { Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import { findChannel } from '../../db/repositories/channels.repo';
import { lockConversation } from '../../db/repositories/conversations.repo';
import { findLastInbound, findMessage, lockMessage, setApprovedReply, setDelivery } from '../../db/repositories/messages.repo';
import { insertNotification } from '../../db/repositories/notifications.repo';
import { decideReplyApproval, lockReplyApproval } from '../../db/repositories/replyApprovals.repo';
import type { ApprovalState } from '../../db/schema';
import { BadRequest, NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import { personalRef } from '../audit/personalValues';
import type { Effects } from '../effects';
import { parseInput } from '../parseInput';
import { type ApprovalPerson, assertDecidable, assertMayDecide } from './approvalPolicy';
import { deliveryOfReply, prepareReply } from './prepareReply';
import { releaseReply } from './releaseReply';
import { assertNotAnsweredSince } from './replyCollision';

export const approveInput = z.object({
  messageId: z.uuid(),
  /** The text as the approver let it go; absent or empty: as the author wrote it. */
  text: z.string().max(10_000, 'the reply is too long').optional(),
});
export const rejectInput = z.object({
  messageId: z.uuid(),
  note: z.string().trim().min(1, 'say why, so the author can rework it').max(2_000, 'the note is too long (2000 characters at most)'),
});

export type Approver = ApprovalPerson & { name: string };

/** Loads and locks what a decision needs (conversation before message, like queueReply) and checks who and when. */
async function openDecision(tx: Tx, messageId: string, approver: Approver, to: ApprovalState) {
  const found = await findMessage(tx, messageId);
  if (found?.direction !== 'outbound') throw new NotFound('Reply');
  const conversation = await lockConversation(tx, found.conversationId);
  const message = await lockMessage(tx, messageId);
  if (!conversation || !message) throw new NotFound('Reply');
  const approval = await lockReplyApproval(tx, messageId);
  assertMayDecide(approver, approval?.requestedBy ?? message.authorUserId ?? '');
  assertDecidable(approval?.state ?? null, to);
  const audit = { channelId: conversation.channelId, subjectType: 'conversation', subjectId: conversation.id };
  return { conversation, message, requestedBy: approval!.requestedBy, audit };
}

export async function approveReply(
  tx: Tx,
  effects: Effects,
  raw: z.input<typeof approveInput>,
  by: { actor: Actor; approver: Approver },
  connectors: Connectors,
): Promise<{ messageId: string; deliveryState: 'queued'; edited: boolean }> {
  const input = parseInput(approveInput, raw, 'approval');
  const { conversation, message, requestedBy, audit } = await openDecision(tx, input.messageId, by.approver, 'approved');
  await assertNotAnsweredSince(tx, conversation.id, message.id);
  const channel = await findChannel(tx, conversation.channelId);
  const connector = channel && connectors.of(channel.kind);
  if (!channel || !connector) throw new BadRequest('Replies cannot be sent on this channel yet').showing('reply.unsupportedChannel');
  // Checked again as it goes out: the approver's edit against the channel's limits, and the service window now.
  const lastInbound = await findLastInbound(tx, conversation.id);
  const wanted = input.text?.trim() ? input.text : message.text;
  const now = new Date();
  const thread = conversation.threadKey === 'dm' ? 'dm' : null;
  const privately = deliveryOfReply(message.raw)?.privately ?? false;
  const prepared = prepareReply(channel, connector, { text: wanted, privately }, lastInbound?.postedAt ?? null, now, thread);
  const edited = prepared.text !== message.text;
  if (edited) {
    await appendAudit(tx, {
      ...audit,
      actor: by.actor,
      action: 'reply.edited',
      before: { messageId: message.id, text: await personalRef(tx, conversation.contactId, message.text) },
      after: {
        messageId: message.id,
        authorUserId: requestedBy,
        text: await personalRef(tx, conversation.contactId, prepared.text),
        length: [...prepared.text].length,
      },
    });
  }
  await setApprovedReply(tx, message.id, { text: prepared.text, raw: prepared.raw, postedAt: now });
  await decideReplyApproval(tx, message.id, { state: 'approved', decidedBy: by.approver.id, decidedAt: now, note: null });
  await appendAudit(tx, { ...audit, actor: by.actor, action: 'reply.approved', after: { messageId: message.id, authorUserId: requestedBy, edited } });
  const length = [...prepared.text].length;
  await releaseReply(tx, effects, conversation, { id: message.id, postedAt: now, length, authorUserId: requestedBy }, by.actor);
  effects.publish({ type: 'conversation', conversationId: conversation.id, channelId: conversation.channelId, change: 'delivery' });
  effects.publish({ type: 'approvals' });
  return { messageId: message.id, deliveryState: 'queued', edited };
}

export async function rejectReply(
  tx: Tx,
  effects: Effects,
  raw: z.input<typeof rejectInput>,
  by: { actor: Actor; approver: Approver },
): Promise<{ messageId: string; deliveryState: 'rejected' }> {
  const input = parseInput(rejectInput, raw, 'approval');
  const { conversation, message, requestedBy, audit } = await openDecision(tx, input.messageId, by.approver, 'rejected');
  await setDelivery(tx, message.id, { deliveryState: 'rejected', deliveryError: null });
  await decideReplyApproval(tx, message.id, { state: 'rejected', decidedBy: by.approver.id, decidedAt: new Date(), note: input.note });
  await appendAudit(tx, { ...audit, actor: by.actor, action: 'reply.rejected', after: { messageId: message.id, authorUserId: requestedBy, note: input.note } });
  await insertNotification(tx, {
    userId: requestedBy,
    conversationId: conversation.id,
    messageId: message.id,
    actorName: by.approver.name,
    kind: 'reply_rejected',
  });
  effects.publish({ type: 'notification', userId: requestedBy });
  effects.publish({ type: 'conversation', conversationId: conversation.id, channelId: conversation.channelId, change: 'delivery' });
  effects.publish({ type: 'approvals' });
  return { messageId: message.id, deliveryState: 'rejected' };
}
