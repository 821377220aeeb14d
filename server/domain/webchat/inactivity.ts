/**
 * Chats whose visitor has said nothing for their site's inactivity_minutes end ('inactivity'). The sweep job
 * (jobs/chatInactivity.ts) runs every minute; each chat ends in its own transaction, re-checked under its lock
 * (a message that arrived meanwhile keeps it going), so a repeated or overlapping sweep changes nothing twice.
 */
import type { Db } from '../../db/client';
import { findChatSite } from '../../db/repositories/chatSites.repo';
import { inactiveChats, lockChatSession } from '../../db/repositories/chatSessions.repo';
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
      const site = session && (await findChatSite(tx, session.siteId));
      if (!session || !site || session.endedAt) return false;
      if (now.getTime() - session.lastVisitorAt.getTime() < site.inactivityMinutes * 60_000) return false;
      return (await endChat(tx, effects, { conversationId, reason: 'inactivity' }, { actor: TIMER, role: VISITOR_SIDE_ROLE, now })).changed;
    });
    if (done) ended++;
  }
  return ended;
}
