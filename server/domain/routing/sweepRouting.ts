/**
 * The router's regular round (every ROUTING_SWEEP_SECONDS, and after Redis lost a trigger): absences that have
 * begun hand back their conversations; agents whose last console tab has been closed for N minutes go offline;
 * a routed conversation its agent has not opened within M minutes is offered to the next eligible agent; then a
 * routing pass over every automatic queue. Each step is its own transaction.
 */
import type { Db, Tx } from '../../db/client';
import { lockQuietConsoles, setAvailability } from '../../db/repositories/agentProfiles.repo';
import { appendAuditBatch, type AuditEntry } from '../../db/repositories/audit.repo';
import { lockOnlineAgents, lockUnopened, takeRouterLock, writeRouting } from '../../db/repositories/routing.repo';
import { systemActor } from '../audit/actor';
import { startAbsences } from '../availability/absences';
import { inTransaction, type Dispatcher, type Effects } from '../effects';
import { routingAgentsOf } from './agents';
import { chooseAgent, type RoutingReason } from './chooseAgent';
import { requirementOf, ROUTER, routeWaiting } from './routeWaiting';

export type SweepSettings = { offlineAfterMinutes: number; reofferAfterMinutes: number };

const MINUTE = 60_000;

/** Online or away agents without an open console tab for `minutes` become offline (audited as the system's doing). */
export async function offlineQuietAgents(tx: Tx, effects: Effects, minutes: number, now = new Date()): Promise<number> {
  const quiet = await lockQuietConsoles(tx, new Date(now.getTime() - minutes * MINUTE));
  const actor = systemActor('presence');
  for (const q of quiet) await setAvailability(tx, q.userId, 'offline', null, false);
  await appendAuditBatch(
    tx,
    quiet.map(
      (q): AuditEntry => ({
        actor,
        action: 'agent.availability_changed',
        subjectType: 'user',
        subjectId: q.userId,
        before: { status: q.availability, reason: q.awayReason },
        after: { status: 'offline', reason: null, why: 'console_closed' },
      }),
    ),
  );
  if (quiet.length) effects.publish({ type: 'routing' });
  return quiet.length;
}

/** Routed conversations not opened within `minutes` go to the next eligible agent (the first one's slot frees up). */
export async function reofferUnopened(tx: Tx, effects: Effects, minutes: number, now = new Date()): Promise<number> {
  await takeRouterLock(tx);
  const agents = await routingAgentsOf(tx, await lockOnlineAgents(tx));
  const moved: { id: string; channelId: string; from: string; to: string; reason: RoutingReason }[] = [];
  for (const c of await lockUnopened(tx, new Date(now.getTime() - minutes * MINUTE))) {
    const requirement = requirementOf(c);
    const choice = chooseAgent(
      agents.filter((a) => a.id !== c.assigneeId),
      requirement,
    );
    if (!choice) continue;
    choice.agent.load[requirement.slotClass] += 1;
    const first = agents.find((a) => a.id === c.assigneeId);
    if (first) first.load[requirement.slotClass] -= 1;
    moved.push({ id: c.id, channelId: c.channelId, from: c.assigneeId, to: choice.agent.id, reason: { ...choice.reason, rule: 'not_opened' } });
  }
  await writeRouting(
    tx,
    moved.map((m) => ({ conversationId: m.id, agentId: m.to, reason: m.reason })),
  );
  await appendAuditBatch(
    tx,
    moved.map(
      (m): AuditEntry => ({
        actor: ROUTER,
        action: 'conversation.routed',
        subjectType: 'conversation',
        subjectId: m.id,
        channelId: m.channelId,
        before: { assigneeId: m.from },
        after: { assigneeId: m.to, status: 'assigned', reason: m.reason },
      }),
    ),
  );
  for (const m of moved) effects.publish({ type: 'conversation', conversationId: m.id, channelId: m.channelId, change: 'status' });
  return moved.length;
}

export async function sweepRouting(db: Db, dispatcher: Dispatcher, settings: SweepSettings, now = new Date()) {
  const handedBack = await inTransaction(db, dispatcher, (tx, effects) => startAbsences(tx, effects, now));
  const wentOffline = await inTransaction(db, dispatcher, (tx, effects) => offlineQuietAgents(tx, effects, settings.offlineAfterMinutes, now));
  const reoffered =
    settings.reofferAfterMinutes > 0
      ? await inTransaction(db, dispatcher, (tx, effects) => reofferUnopened(tx, effects, settings.reofferAfterMinutes, now))
      : 0;
  const pass = await inTransaction(db, dispatcher, (tx, effects) => routeWaiting(tx, effects, {}, now));
  return { handedBack, wentOffline, reoffered, ...pass };
}
