/**
 * Accepted chats in which nothing happened for their site's inactivity_minutes end ('inactivity'): measured from
 * the latest of the visitor's last message, the acceptance and the agent's last delivered reply
 * (chatSessions.repo inactiveChats). A chat still waiting in the queue never ends by inactivity — its visitor is
 * waiting, not idle (there is no queue timeout). The sweep job (jobs/chatInactivity.ts) runs every minute; each
 * chat ends in its own transaction, re-checked under its lock (a message that arrived meanwhile keeps it going),
 * so a repeated or overlapping sweep changes nothing twice.
 */
import type { Db } from '../../db/client';
import { inactiveChats, isChatInactive, lockChatSession } from '../../db/repositories/chatSessions.repo';
import { systemActor } from '../audit/actor';
import { inTransaction, type Dispatcher } from '../effects';
import { endChat, VISITOR_SIDE_ROLE } from './endChat';

/** Chats one sweep ends at most (the next sweep takes the rest). */
export const INACTIVITY_SWEEP_LIMIT = 200;
const TIMER = systemActor('chat inactivity');

export async function endInactiveChats(db: Db, dispatcher: Dispatcher, now = new Date()): Promise<number> {
  let ended = 0;
  for (const conversationId of await inactiveChats(db, now, INACTIVITY_SWEEP_LIMIT)) {
    const done = await inTransaction(db, dispatcher, async (tx, effects) => {
      const session = await lockChatSession(tx, conversationId);
      if (!session || !(await isChatInactive(tx, conversationId, now))) return false;
      return (await endChat(tx, effects, { conversationId, reason: 'inactivity' }, { actor: TIMER, role: VISITOR_SIDE_ROLE, now })).changed;
    });
    if (done) ended++;
  }
  return ended;
}
