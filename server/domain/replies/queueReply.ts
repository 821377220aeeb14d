/** An agent's reply: validated against the channel's limits, stored as queued, handed to the outbound worker. */
import type { Connectors } from '../../../connectors/types';
import type { Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import { findChannel } from '../../db/repositories/channels.repo';
import { lockConversation, updateConversation } from '../../db/repositories/conversations.repo';
import { findLastInbound, insertMessage } from '../../db/repositories/messages.repo';
import { BadRequest, NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import type { Effects } from '../effects';
import { prepareReply } from './prepareReply';
import { stopSlaClocks } from '../sla/clock';
import { applySlaPause } from '../sla/pause';
import { assertNoReplyMeanwhile } from './replyCollision';
import { statusAfterReply } from '../conversations/status';

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

/** `connectors`: the registry the composition root built; the channel's connector says its limits. */
export async function queueReply(tx: Tx, effects: Effects, input: ReplyInput, actor: Actor, connectors: Connectors): Promise<{ messageId: string }> {
  const conversation = await lockConversation(tx, input.conversationId);
  if (!conversation) throw new NotFound('Conversation');
  await assertNoReplyMeanwhile(tx, conversation.id, input.lastSeenMessageId);
  const channel = await findChannel(tx, conversation.channelId);
  const connector = channel && connectors.of(channel.kind);
  if (!channel || !connector) throw new BadRequest('Replies cannot be sent on this channel yet').showing('reply.unsupportedChannel');
  const lastInbound = await findLastInbound(tx, conversation.id);
  // Empty, too long, or outside the channel's service window (WhatsApp: 24 h; templates are exempt).
  const thread = conversation.threadKey === 'dm' ? 'dm' : null;
  const { text, raw } = prepareReply(channel, connector, input, lastInbound?.postedAt ?? null, new Date(), thread);
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
    raw,
    deliveryState: 'queued',
    deliveryError: null,
    deliveredAt: null,
  });
  const audit = { actor, channelId: channel.id, subjectType: 'conversation', subjectId: conversation.id };
  await appendAudit(tx, { ...audit, action: 'reply.queued', after: { messageId: message.id, length: [...text].length } });
  // A saved conversation's paused clocks run again (moved by the pause) before the reply stops them.
  await applySlaPause(tx, effects, {
    conversationId: conversation.id,
    channelId: channel.id,
    from: conversation.status,
    to: statusAfterReply(),
    actor,
    now: message.postedAt,
  });
  // SLA: the reply answers every post still awaiting an answer, at the moment it is queued (domain/sla/policy.ts).
  await stopSlaClocks(
    tx,
    effects,
    {
      conversationId: conversation.id,
      channelId: channel.id,
      replyMessageId: message.id,
      respondedAt: message.postedAt,
      assigneeId: conversation.assigneeId,
    },
    actor,
  );

  const status = statusAfterReply();
  await updateConversation(tx, conversation.id, { status });
  if (status !== conversation.status) {
    await appendAudit(tx, { ...audit, action: 'conversation.status_changed', before: { status: conversation.status }, after: { status } });
  }
  effects.enqueue({ name: 'deliver-reply', data: { messageId: message.id } });
  effects.publish({ type: 'conversation', conversationId: conversation.id, channelId: channel.id, change: 'message' });
  return { messageId: message.id };
}
