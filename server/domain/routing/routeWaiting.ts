/**
 * A routing pass (automatic mode), one transaction: take the router lock, lock the online agents and count
 * their slots, re-check reopened conversations (back to their last agent if online with a free slot, else to
 * the queue), then fill free slots from the head of the queue (planRouting.ts; a callback joins it when its window
 * opens, callbacks/callbackOpening.ts). Every decision is written with
 * its reason onto the conversation and into the audit log; the consoles hear of it after commit.
 */
import type { Tx } from '../../db/client';
import { appendAuditBatch, type AuditEntry } from '../../db/repositories/audit.repo';
import {
  lockConversationsForRouting,
  lockOnlineAgents,
  lockQueueHead,
  takeRouterLock,
  writeRouting,
  type QueuedRow,
  type RoutedRow,
} from '../../db/repositories/routing.repo';
import { systemActor } from '../audit/actor';
import { callbacksOpenBy } from '../callbacks/callbackOpening';
import type { Effects } from '../effects';
import { routingAgentsOf } from './agents';
import { reasonFor, type Requirement, type RoutingReason } from './chooseAgent';
import { planRouting, type Waiting } from './planRouting';
import { SLOT_CLASSES, slotClassOf } from './slots';

/** Conversations one pass looks at, at most (the rest wait for the next pass: a freed slot or the sweep triggers one). */
export const QUEUE_HEAD = 500;

export const ROUTER = systemActor('router');

export type RouteRequest = { channelIds?: string[] | null; reopenedIds?: string[] };

export function requirementOf(c: QueuedRow): Requirement {
  return { slotClass: slotClassOf(c.kind, c.threadKey), channelId: c.channelId, language: c.language, topic: c.topic, region: c.region, teamId: c.teamId };
}

export function waitingOf(c: QueuedRow): Waiting {
  return { id: c.id, dueAt: c.dueAt, priority: c.priority, waitingSince: c.waitingSince, requirement: requirementOf(c) };
}

export async function routeWaiting(tx: Tx, effects: Effects, req: RouteRequest, now = new Date()): Promise<{ routed: number; returned: number }> {
  await takeRouterLock(tx);
  const agents = await routingAgentsOf(tx, await lockOnlineAgents(tx));
  const written: RoutedRow[] = [];
  const audit: AuditEntry[] = [];
  const record = (c: QueuedRow, before: string | null, agentId: string | null, reason: RoutingReason | { rule: 'back_to_queue' }) => {
    written.push({ conversationId: c.id, agentId, reason });
    audit.push({
      actor: ROUTER,
      action: 'conversation.routed',
      subjectType: 'conversation',
      subjectId: c.id,
      channelId: c.channelId,
      before: { assigneeId: before },
      after: { assigneeId: agentId, status: agentId ? 'assigned' : 'new', reason },
    });
    effects.publish({ type: 'conversation', conversationId: c.id, channelId: c.channelId, change: 'status' });
    // a live website chat rings for its new agent until they accept it (domain/webchat/acceptChat.ts); an
    // offline-form case on the same channel has no chat session and never rings
    if (agentId && agentId !== before && c.openChat) effects.publish({ type: 'chat_ringing', conversationId: c.id, assigneeId: agentId });
  };

  // reopened in an automatic queue: the last agent keeps it if online with a free slot (their count includes it)
  let returned = 0;
  for (const c of await lockConversationsForRouting(tx, req.reopenedIds ?? [])) {
    if (c.status !== 'assigned' || !c.assigneeId || c.routingMode !== 'auto') continue;
    const requirement = requirementOf(c);
    const last = agents.find((a) => a.id === c.assigneeId);
    if (last && !last.absent && last.load[requirement.slotClass] <= last.capacity[requirement.slotClass]) {
      record(c, c.assigneeId, c.assigneeId, { ...reasonFor(last, requirement, 'last_agent'), load: last.load[requirement.slotClass] - 1 });
    } else {
      if (last) last.load[requirement.slotClass] -= 1;
      record(c, c.assigneeId, null, { rule: 'back_to_queue' });
      returned++;
    }
  }
  await writeRouting(tx, written);

  // only as much of the queue as the free slots could take (ten candidates per slot: skills may not fit)
  const free = agents.filter((a) => !a.absent).reduce((n, a) => n + SLOT_CLASSES.reduce((m, c) => m + Math.max(0, a.capacity[c] - a.load[c]), 0), 0);
  const queue = free === 0 ? [] : await lockQueueHead(tx, 'auto', req.channelIds ?? null, Math.min(QUEUE_HEAD, 10 * free), callbacksOpenBy(now));
  const decisions = planRouting(queue.map(waitingOf), agents, now);
  const byId = new Map(queue.map((c) => [c.id, c]));
  const before = written.length;
  for (const d of decisions) record(byId.get(d.conversationId)!, null, d.agentId, d.reason);
  await writeRouting(tx, written.slice(before));
  await appendAuditBatch(tx, audit);
  if (written.length) effects.publish({ type: 'routing' });
  return { routed: decisions.length, returned };
}
