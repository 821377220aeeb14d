/**
 * An internal note on a conversation: stored as direction 'note', never sent to a channel, never counted as
 * a response, status untouched. @mentions notify the colleagues named (a notification row + a live event).
 */
import { z } from 'zod';
import type { Tx } from '../../db/client';
import type { Role } from '../../db/schema';
import { appendAudit } from '../../db/repositories/audit.repo';
import { lockConversation } from '../../db/repositories/conversations.repo';
import { insertMessage } from '../../db/repositories/messages.repo';
import { insertNotification } from '../../db/repositories/notifications.repo';
import { listStaff } from '../../db/repositories/conversationState.repo';
import { Forbidden, NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import { mayWorkConversations } from './transitionPolicy';
import type { Effects } from '../effects';
import { parseInput } from '../parseInput';
import { resolveMentions } from './mentions';

export const noteInput = z.object({
  conversationId: z.uuid(),
  text: z.string().trim().min(1, 'the note is empty').max(5_000, 'the note is too long (5000 characters at most)'),
});

export async function addNote(tx: Tx, effects: Effects, raw: z.input<typeof noteInput>, by: { actor: Actor; role: Role; user: { id: string; name: string } }) {
  const input = parseInput(noteInput, raw, 'note');
  if (!mayWorkConversations(by.role)) throw new Forbidden('Your role may not write notes');
  const c = await lockConversation(tx, input.conversationId);
  if (!c) throw new NotFound('Conversation');
  const message = await insertMessage(tx, {
    conversationId: c.id,
    channelId: c.channelId,
    direction: 'note',
    externalId: null,
    inReplyToExternalId: null,
    authorName: by.user.name,
    authorHandle: null,
    authorUserId: by.user.id,
    text: input.text,
    url: null,
    postedAt: new Date(),
    raw: null,
    deliveryState: null,
    deliveryError: null,
    deliveredAt: null,
  });
  const mentioned = resolveMentions(input.text, await listStaff(tx), by.user.id);
  for (const u of mentioned) {
    await insertNotification(tx, { userId: u.id, conversationId: c.id, messageId: message.id, actorName: by.user.name });
    effects.publish({ type: 'notification', userId: u.id });
  }
  await appendAudit(tx, {
    actor: by.actor,
    action: 'note.added',
    subjectType: 'conversation',
    subjectId: c.id,
    channelId: c.channelId,
    after: { messageId: message.id, length: [...input.text].length, mentioned: mentioned.map((u) => u.id) },
  });
  effects.publish({ type: 'conversation', conversationId: c.id, channelId: c.channelId, change: 'message' });
  return { messageId: message.id, mentioned: mentioned.map((u) => ({ id: u.id, name: u.name })) };
}
