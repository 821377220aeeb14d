/**
 * Manual assignment against capacity: a conversation that will occupy a slot of an agent whose slots of that
 * class are all in use needs a manager and a reason (then the audit event records both). Takes the router lock
 * and the agent's profile, so a routing pass cannot fill the same slot meanwhile; call it before locking the
 * conversation (the router takes its locks in that order too).
 */
import type { Tx } from '../../db/client';
import { lockProfile } from '../../db/repositories/agentProfiles.repo';
import { lockAgent, takeRouterLock } from '../../db/repositories/routing.repo';
import type { ChannelKind, Role } from '../../db/schema';
import { BadRequest, Conflict } from '../../errors';
import { routingAgentsOf } from './agents';
import { slotClassOf } from './slots';

export type OverCapacity = { load: number; capacity: number; reason: string };

export async function lockAgentSlots(tx: Tx, agentId: string) {
  await takeRouterLock(tx);
  await lockProfile(tx, agentId);
  const [agent] = await routingAgentsOf(tx, [(await lockAgent(tx, agentId))!]);
  return agent!;
}

/** null: a free slot (or the conversation takes none); else the override to audit. Throws when it is not allowed. */
export function checkCapacity(
  agent: Awaited<ReturnType<typeof lockAgentSlots>>,
  conversation: { kind: ChannelKind; threadKey: string | null },
  by: { role: Role },
  reason: string | undefined,
): OverCapacity | null {
  const slotClass = slotClassOf(conversation.kind, conversation.threadKey);
  const load = agent.load[slotClass];
  const capacity = agent.capacity[slotClass];
  if (load < capacity) return null;
  if (by.role !== 'manager')
    throw new Conflict(`All ${capacity} ${slotClass} slots of this agent are in use; a manager may assign above capacity with a reason`, {
      code: 'over_capacity',
      load,
      capacity,
    }).showing('routing.overCapacity', { capacity });
  if (!reason) throw new BadRequest('overCapacityReason: required to assign above capacity', { fields: { overCapacityReason: 'required' }, load, capacity });
  return { load, capacity, reason };
}
