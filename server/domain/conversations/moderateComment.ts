/**
 * An agent hides, shows again or deletes a customer's comment on the channel itself (Facebook, Instagram):
 * the channel is asked first (a refusal changes nothing here), then the comment's moderation state and its
 * audit event are written in one transaction and open consoles are told.
 */
import { z } from 'zod';
import { ConnectorError, type Connectors, type ModerationAction } from '../../../connectors/types';
import type { SecretBox } from '../../crypto/secretBox';
import type { Db } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import type { Moderation } from '../../db/schema';
import { BadRequest, HttpError, NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import { loadChannelForSend } from '../channels/loadChannelForSend';
import { inTransaction, type Dispatcher } from '../effects';

export const moderationInput = z.object({
  conversationId: z.uuid(),
  messageId: z.uuid(),
  action: z.enum(['hide', 'unhide', 'delete']),
});
export type ModerationInput = z.output<typeof moderationInput>;

const STATE_AFTER: Record<ModerationAction, Moderation | null> = { hide: 'hidden', unhide: null, delete: 'deleted' };

type Deps = { db: Db; dispatcher: Dispatcher; secretBox: SecretBox; connectors: Connectors };

export async function moderateComment(deps: Deps, input: ModerationInput, actor: Actor): Promise<void> {
  const message = await deps.db
    .selectFrom('messages')
    .select(['id', 'channelId', 'externalId', 'direction', 'moderation', 'remoteRemovedAt'])
    .where('id', '=', input.messageId)
    .where('conversationId', '=', input.conversationId)
    .executeTakeFirst();
  if (!message) throw new NotFound('Message');
  const channel = await loadChannelForSend(deps.db, deps.secretBox, message.channelId);
  const connector = channel && deps.connectors.of(channel.kind);
  if (!channel || !connector?.moderate || !connector.capabilities.moderation.includes(input.action)) {
    throw new BadRequest('Comments on this channel cannot be moderated from here', { action: 'not supported' });
  }
  if (message.direction !== 'inbound' || !message.externalId || message.remoteRemovedAt || message.moderation === 'deleted') {
    throw new BadRequest('Only a customer comment that is still on the channel can be moderated', { action: 'not supported' });
  }
  try {
    await connector.moderate(channel, message.externalId, input.action);
  } catch (err) {
    if (err instanceof ConnectorError) throw new HttpError(502, `The channel refused: ${err.message}`);
    throw err;
  }
  await inTransaction(deps.db, deps.dispatcher, async (tx, effects) => {
    const after = STATE_AFTER[input.action];
    await tx.updateTable('messages').set({ moderation: after }).where('id', '=', message.id).execute();
    await appendAudit(tx, {
      actor,
      action: 'message.moderated',
      channelId: channel.id,
      subjectType: 'conversation',
      subjectId: input.conversationId,
      before: { messageId: message.id, moderation: message.moderation },
      after: { messageId: message.id, moderation: after, action: input.action },
    });
    effects.publish({ type: 'conversation', conversationId: input.conversationId, channelId: channel.id, change: 'message' });
  });
}
