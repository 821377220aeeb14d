/**
 * A site's chat queue as a visitor sees it: their position among the waiting chats (open and not yet accepted —
 * unassigned, or ringing at an agent — by started_at) and the expected wait, from the queue state measured over
 * the site's chats of the last hour (expectedWait.ts holds the model).
 */
import type { DbOrTx } from '../../db/client';
import { recentChatMeasures, waitingChats } from '../../db/repositories/chatSessions.repo';
import type { ChatSlots } from './capacity';
import { expectedWaitSeconds, type QueueState } from './expectedWait';

/** The queue state for a visitor with `waitingAhead` chats before them, from the slots now and the site's last hour. */
export async function measureQueueState(db: DbOrTx, siteId: string, slots: ChatSlots, waitingAhead: number, now: Date): Promise<QueueState> {
  const m = await recentChatMeasures(db, siteId, now);
  return {
    waitingAhead,
    freeSlots: slots.freeSlots,
    busySlots: slots.busySlots,
    arrivalsPerHour: m.arrivals,
    meanHandleSeconds: m.meanHandleSeconds ?? 0,
    recentStartsPerMinute: m.accepted / 60,
  };
}

export type QueueView = { position: number; expectedWaitSeconds: number };

/**
 * Positions and expected waits of the waiting chats, in queue order. A ringing chat (assigned, not yet accepted)
 * already has its agent's slot: it waits for nobody. An unassigned one waits for the unassigned chats before it.
 */
export function queueViews(waiting: readonly { conversationId: string; unassigned: boolean }[], state: QueueState): Map<string, QueueView> {
  const views = new Map<string, QueueView>();
  let unassignedAhead = 0;
  waiting.forEach((w, i) => {
    const wait = w.unassigned ? Math.round(expectedWaitSeconds({ ...state, waitingAhead: unassignedAhead })) : 0;
    views.set(w.conversationId, { position: i + 1, expectedWaitSeconds: wait });
    if (w.unassigned) unassignedAhead++;
  });
  return views;
}

/** Every waiting chat of the site with its position and expected wait (one measurement for all of them). */
export async function siteQueue(db: DbOrTx, siteId: string, slots: ChatSlots, now: Date): Promise<Map<string, QueueView>> {
  const waiting = await waitingChats(db, siteId);
  if (waiting.length === 0) return new Map();
  return queueViews(waiting, await measureQueueState(db, siteId, slots, 0, now));
}
