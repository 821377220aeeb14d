/**
 * The one way a chat ends — by the agent, by the visitor, or after the visitor's inactivity: the session gets
 * ended_at and its reason (ended before it was accepted: abandoned), the conversation is closed through the
 * ordinary status change (so the chat slot is freed, a routing pass follows and the close is audited), and the
 * visitor's widget and the consoles hear of it. Ending an ended chat changes nothing.
 *
 * The visitor and the inactivity timer close like a manager giving a reason: open tasks of the case never keep
 * a chat from ending (they are named in the close's audit event). An agent's end goes by the agent's role.
 */
import type { Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import { lockChatSession, setChatEnded } from '../../db/repositories/chatSessions.repo';
import { lockConversation } from '../../db/repositories/conversations.repo';
import { clearPausedClocks } from '../../db/repositories/sla.repo';
import type { ChatEndReason, Role } from '../../db/schema';
import { NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import { changeStatus } from '../conversations/changeStatus';
import type { Effects } from '../effects';

const CLOSE_REASON: Record<ChatEndReason, string | undefined> = {
  agent: undefined,
  customer: 'Chat ended by the visitor',
  inactivity: 'Chat ended: the visitor was inactive',
  self_served: 'Self-served: an article the bot offered helped',
};

/** The role a close by the visitor or the timer is checked with (see above). */
export const VISITOR_SIDE_ROLE: Role = 'manager';

export type EndedChat = { ended: true; reason: ChatEndReason; endedAt: Date; changed: boolean };

export async function endChat(
  tx: Tx,
  effects: Effects,
  input: { conversationId: string; reason: ChatEndReason },
  by: { actor: Actor; role: Role; now?: Date },
): Promise<EndedChat> {
  const session = await lockChatSession(tx, input.conversationId);
  if (!session) throw new NotFound('Chat');
  if (session.endedAt && session.endReason) return { ended: true, reason: session.endReason, endedAt: session.endedAt, changed: false };
  // Lock order everywhere: chat session, conversation, then the audit chain (appendAudit's global lock) —
  // auditing before the conversation lock deadlocks against anyone holding the conversation and waiting to audit.
  await lockConversation(tx, session.conversationId);
  const now = by.now ?? new Date();
  // closed while the session is still open, so the status change sees a live chat freeing its slot (routing pass)
  if (session.status !== 'closed') {
    await changeStatus(tx, effects, { conversationId: session.conversationId, status: 'closed', reason: CLOSE_REASON[input.reason] }, { ...by, now });
  }
  // a chat the bot still held never reached the team (bot first, 033): nobody owes its posts an answer
  const clearedClocks = session.botState === 'holding' ? await clearPausedClocks(tx, session.conversationId) : [];
  await setChatEnded(tx, session.conversationId, input.reason, now);
  await appendAudit(tx, {
    actor: by.actor,
    action: 'conversation.chat_ended',
    subjectType: 'conversation',
    subjectId: session.conversationId,
    channelId: session.channelId,
    after: { reason: input.reason, accepted: session.acceptedAt !== null, ...(clearedClocks.length ? { clearedClocks } : {}) },
  });
  effects.publish({ type: 'chat', conversationId: session.conversationId, change: 'ended' });
  return { ended: true, reason: input.reason, endedAt: now, changed: true };
}
