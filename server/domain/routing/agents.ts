/** Stored profiles → the router's view of agents: skills and capacity parsed, the slots in use counted per class. */
import { z } from 'zod';
import type { Tx } from '../../db/client';
import { slotsInUse, type AgentRow } from '../../db/repositories/routing.repo';
import { NO_SKILLS, type RoutingAgent, type Skills } from './chooseAgent';
import { capacityOf, MAX_SLOTS, SLOT_CLASSES, slotClassOf, type Capacity } from './slots';

const skillList = z.array(z.string().trim().min(1).max(60)).max(50);
export const skillsSchema = z.object({ languages: skillList, topics: skillList, channels: skillList, regions: skillList }).strict();
const slots = z.number().int().min(0).max(MAX_SLOTS);
export const capacitySchema = z.object({ chat: slots, messaging: slots, social: slots, email: slots }).partial().strict();

export function skillsOf(stored: unknown): Skills {
  const parsed = skillsSchema.partial().safeParse(stored);
  return parsed.success ? { ...NO_SKILLS, ...parsed.data } : NO_SKILLS;
}

export function storedCapacity(stored: unknown): Capacity {
  const parsed = capacitySchema.safeParse(stored);
  return capacityOf(parsed.success ? parsed.data : null);
}

export async function routingAgentsOf(tx: Tx, rows: AgentRow[]): Promise<RoutingAgent[]> {
  const uses = await slotsInUse(
    tx,
    rows.map((r) => r.id),
  );
  const loads = new Map<string, Capacity>(rows.map((r) => [r.id, Object.fromEntries(SLOT_CLASSES.map((c) => [c, 0])) as Capacity]));
  for (const u of uses) loads.get(u.assigneeId)![slotClassOf(u.kind, u.threadKey)] += u.used;
  return rows.map((r) => ({
    id: r.id,
    availability: r.availability,
    absent: r.absent,
    skills: skillsOf(r.skills),
    capacity: storedCapacity(r.capacity),
    load: loads.get(r.id)!,
    idleSince: r.idleSince,
    teamIds: r.teamIds,
  }));
}
