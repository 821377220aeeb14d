/**
 * Sending one reply on its channel — Chatwoot's "send on channel" shape: one lookup picks the connector,
 * the checks every channel shares run here, and each connector only performs the reply (its sendReply).
 */
import { Permanent, type ChannelForSend, type Connector, type Connectors, type SendContext, type SentReceipt } from '../../../connectors/types';
import type { ChannelKind, Message } from '../../db/schema';
import { templateOfReply } from '../channels/whatsapp/templateReply';
import { deliveryOfReply } from './prepareReply';

/** A claimed reply with what sending it needs (db/repositories/messages.repo.ts findReplyContext). */
export type ReplyToSend = Message & {
  caseNumber: string;
  thread: 'dm' | null;
  recipientExternalId: string | null;
  inReplyToRaw: unknown;
  /** The conversation's language and the external ids of its replies delivered before this one. */
  conversationLanguage: string | null;
  earlierReplyIds: string[];
};

/** The connector that sends on this channel, or a permanent failure that says why there is none. */
export function senderFor(connectors: Connectors, channel: ChannelForSend | undefined): Connector {
  if (!channel) throw new Permanent('The channel no longer exists');
  const connector = connectors.of(channel.kind);
  if (!connector) throw new Permanent(`Replies cannot be sent on ${channel.kind} channels`);
  return connector;
}

/** Whether a send to this recipient on this channel that may have happened can be repeated without reaching the customer twice. */
export function resendsSafely(connectors: Connectors, channel: { kind: ChannelKind } | undefined, recipientExternalId: string | null): boolean {
  const safe = channel && connectors.of(channel.kind)?.idempotentResend;
  return typeof safe === 'function' ? safe({ recipientExternalId }) : Boolean(safe);
}

export async function sendOnChannel(
  connectors: Connectors,
  channel: ChannelForSend | undefined,
  message: ReplyToSend,
  context: SendContext,
): Promise<SentReceipt> {
  const connector = senderFor(connectors, channel);
  // Shared skip checks: only our own outbound replies go out, never an inbound post or an internal note.
  if (message.direction !== 'outbound') throw new Permanent('Only replies are sent to a channel');
  if (message.channelId !== channel!.id) throw new Permanent('The reply belongs to another channel');
  return connector.sendReply(
    channel!,
    {
      messageId: message.id,
      conversationId: message.conversationId,
      caseNumber: message.caseNumber,
      text: message.text,
      inReplyToExternalId: message.inReplyToExternalId,
      recipientExternalId: message.recipientExternalId,
      template: templateOfReply(message.raw),
      thread: message.thread,
      delivery: deliveryOfReply(message.raw),
      inReplyToRaw: message.inReplyToRaw,
      language: message.conversationLanguage,
      earlierReplyIds: message.earlierReplyIds,
    },
    context,
  );
}
