/**
 * "Nächsten nehmen" (pull mode): the agent gets the most urgent waiting conversation they are eligible for —
 * the head of the queue order among pull and automatic queues, no cherry-picking. Same lock, same eligibility
 * and the same written reason as the router; a callback before its window opens is in no queue yet; null when
 * nothing fits (or the agent has no free slot).
 */
import type { Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import { lockAgent, lockQueueHead, takeRouterLock, writeRouting } from '../../db/repositories/routing.repo';
import { Conflict } from '../../errors';
import type { Actor } from '../audit/actor';
import { callbacksOpenBy } from '../callbacks/callbackOpening';
import type { Effects } from '../effects';
import { routingAgentsOf } from './agents';
import { isEligible, reasonFor } from './chooseAgent';
import { compareQueued } from './queueOrder';
import { QUEUE_HEAD, waitingOf } from './routeWaiting';

export async function takeNext(tx: Tx, effects: Effects, by: { actor: Actor; userId: string }): Promise<{ conversationId: string } | null> {
  await takeRouterLock(tx);
  const row = await lockAgent(tx, by.userId);
  if (row?.availability !== 'online') throw new Conflict('Set yourself online to take conversations', { code: 'not_online' });
  const [agent] = await routingAgentsOf(tx, [row]);
  const openBy = callbacksOpenBy(new Date());
  const queue = [...(await lockQueueHead(tx, 'pull', null, QUEUE_HEAD, openBy)), ...(await lockQueueHead(tx, 'auto', null, QUEUE_HEAD, openBy))];
  const next = queue
    .map((c) => ({ c, w: waitingOf(c) }))
    .sort((a, b) => compareQueued(a.w, b.w))
    .find(({ w }) => isEligible(agent!, w.requirement));
  if (!next) return null;
  const reason = reasonFor(agent!, next.w.requirement, 'pull');
  await writeRouting(tx, [{ conversationId: next.c.id, agentId: agent!.id, reason }]);
  await appendAudit(tx, {
    actor: by.actor,
    action: 'conversation.routed',
    subjectType: 'conversation',
    subjectId: next.c.id,
    channelId: next.c.channelId,
    before: { assigneeId: null },
    after: { assigneeId: agent!.id, status: 'assigned', reason },
  });
  effects.publish({ type: 'conversation', conversationId: next.c.id, channelId: next.c.channelId, change: 'status' });
  effects.publish({ type: 'routing' });
  return { conversationId: next.c.id };
}
