/**
 * Accepting a website chat: routing gave it to an agent and it rings until they take it. Only the assignee
 * (or a manager, who may step in) accepts, once, and not after the chat has ended; the waiting time until the
 * acceptance is the chat's speed of answer (reports). Locks the chat, then the conversation (endChat's order).
 */
import type { Tx } from '../../db/client';
import type { Role } from '../../db/schema';
import { appendAudit } from '../../db/repositories/audit.repo';
import { lockChatSession, setChatAccepted } from '../../db/repositories/chatSessions.repo';
import { lockConversation } from '../../db/repositories/conversations.repo';
import { Conflict, Forbidden, NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import type { Effects } from '../effects';

export async function acceptChat(
  tx: Tx,
  effects: Effects,
  conversationId: string,
  by: { actor: Actor; role: Role; user: { id: string } },
  now = new Date(),
): Promise<{ acceptedAt: Date }> {
  const chat = await lockChatSession(tx, conversationId);
  const c = chat && (await lockConversation(tx, conversationId));
  if (!chat || !c) throw new NotFound('Chat');
  if (c.assigneeId !== by.user.id && by.role !== 'manager')
    throw new Forbidden('Only the assigned agent or a manager accepts this chat').showing('chat.acceptForbidden');
  if (chat.endedAt) throw new Conflict('The chat has ended', { code: 'chat_ended' }).showing('chat.alreadyEnded');
  if (chat.acceptedAt) throw new Conflict('The chat was accepted already', { code: 'chat_accepted' }).showing('chat.alreadyAccepted');
  await setChatAccepted(tx, conversationId, by.user.id, now);
  await appendAudit(tx, {
    actor: by.actor,
    action: 'conversation.chat_accepted',
    subjectType: 'conversation',
    subjectId: c.id,
    channelId: c.channelId,
    before: { acceptedAt: null },
    after: { acceptedBy: by.user.id, waitedSeconds: Math.max(0, Math.round((now.getTime() - chat.startedAt.getTime()) / 1000)) },
  });
  effects.publish({ type: 'chat', conversationId: c.id, change: 'accepted' });
  return { acceptedAt: now };
}
