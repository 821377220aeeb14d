/** Stored profiles → the router's view of agents: skills and capacity parsed, the slots in use counted per class. */
import { z } from 'zod';
import type { DbOrTx } from '../../db/client';
import { slotsInUse, type AgentRow } from '../../db/repositories/routing.repo';
import { teamDefaultsOf } from '../../db/repositories/teams.repo';
import { NO_SKILLS, type RoutingAgent, type Skills } from './chooseAgent';
import { effectiveCapacity, MAX_SLOTS, SLOT_CLASSES, slotClassOf, type Capacity } from './slots';

const skillList = z.array(z.string().trim().min(1).max(60)).max(50);
export const skillsSchema = z.object({ languages: skillList, topics: skillList, channels: skillList, regions: skillList }).strict();
const slots = z.number().int().min(0).max(MAX_SLOTS);
export const capacitySchema = z.object({ chat: slots, messaging: slots, social: slots, email: slots }).partial().strict();
/** A change of slots: a number sets a class, null clears it (back to the team's or the global default), absent keeps it. */
export const capacityPatchSchema = z
  .object({ chat: slots.nullable(), messaging: slots.nullable(), social: slots.nullable(), email: slots.nullable() })
  .partial()
  .strict();

export function patchCapacity(stored: Partial<Capacity>, patch: z.infer<typeof capacityPatchSchema>): Partial<Capacity> {
  const next: Partial<Capacity> = { ...stored };
  for (const c of SLOT_CLASSES) {
    if (patch[c] === null) delete next[c];
    else if (patch[c] !== undefined) next[c] = patch[c];
  }
  return next;
}

export function skillsOf(stored: unknown): Skills {
  const parsed = skillsSchema.partial().safeParse(stored);
  return parsed.success ? { ...NO_SKILLS, ...parsed.data } : NO_SKILLS;
}

/** Slots set on an agent or a team (classes not set are left out). */
export function storedCapacity(stored: unknown): Partial<Capacity> {
  const parsed = capacitySchema.safeParse(stored);
  return parsed.success ? parsed.data : {};
}

/** The slots routing counts with for each agent (by id): their own, else their teams' defaults, else the global ones. */
export async function effectiveCapacities(db: DbOrTx, agents: { id: string; capacity: unknown }[]): Promise<Map<string, Capacity>> {
  const defaults = new Map<string, Partial<Capacity>[]>(agents.map((a) => [a.id, []]));
  for (const row of await teamDefaultsOf(
    db,
    agents.map((a) => a.id),
  ))
    defaults.get(row.userId)!.push(storedCapacity(row.defaultCapacity));
  return new Map(agents.map((a) => [a.id, effectiveCapacity(storedCapacity(a.capacity), defaults.get(a.id)!)]));
}

export async function routingAgentsOf(tx: DbOrTx, rows: AgentRow[]): Promise<RoutingAgent[]> {
  const uses = await slotsInUse(
    tx,
    rows.map((r) => r.id),
  );
  const capacities = await effectiveCapacities(tx, rows);
  const loads = new Map<string, Capacity>(rows.map((r) => [r.id, Object.fromEntries(SLOT_CLASSES.map((c) => [c, 0])) as Capacity]));
  for (const u of uses) loads.get(u.assigneeId)![slotClassOf(u.kind, u.threadKey)] += u.used;
  return rows.map((r) => ({
    id: r.id,
    availability: r.availability,
    absent: r.absent,
    skills: skillsOf(r.skills),
    capacity: capacities.get(r.id)!,
    load: loads.get(r.id)!,
    idleSince: r.idleSince,
    teamIds: r.teamIds,
  }));
}
