/**
 * Routing settings, by managers: an agent's skills and slots, and a channel's routing mode (manual, auto,
 * pull) with the team that serves its queue. Audited with before/after; a change may free or open slots, so a
 * routing pass follows.
 */
import { z } from 'zod';
import type { Tx } from '../../db/client';
import { lockProfile, setRoutingProfile } from '../../db/repositories/agentProfiles.repo';
import { appendAudit } from '../../db/repositories/audit.repo';
import { lockChannelRouting, setChannelRoutingMode } from '../../db/repositories/routing.repo';
import { findTeam } from '../../db/repositories/teams.repo';
import { findUserById } from '../../db/repositories/users.repo';
import type { Role } from '../../db/schema';
import { BadRequest, Forbidden, NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import { can } from '../auth/permissions';
import type { Effects } from '../effects';
import { parseInput } from '../parseInput';
import { capacityPatchSchema, effectiveCapacities, patchCapacity, skillsOf, skillsSchema, storedCapacity } from './agents';
import { routingPass } from './routingPass';

export const agentRoutingInput = z
  .object({ userId: z.uuid(), skills: skillsSchema.optional(), capacity: capacityPatchSchema.optional() })
  .strict()
  .refine((v) => v.skills !== undefined || v.capacity !== undefined, { message: 'give skills or capacity', path: ['skills'] });

export const channelRoutingInput = z
  .object({ channelId: z.uuid(), routing: z.object({ mode: z.enum(['manual', 'auto', 'pull']), teamId: z.uuid().nullable().optional() }).strict() })
  .strict();

type By = { actor: Actor; role: Role };

/** Routing (skills, slots, a channel's mode) is a manager's decision; admins manage accounts, not work. */
export const setsRouting = (role: Role) => role === 'manager' && can(role, 'settings.manage');
const managerOnly = (by: By) => {
  if (!setsRouting(by.role)) throw new Forbidden('Only managers set routing');
};
const pass = (effects: Effects) => effects.enqueue(routingPass());

export async function setAgentRouting(tx: Tx, effects: Effects, raw: z.input<typeof agentRoutingInput>, by: By) {
  const input = parseInput(agentRoutingInput, raw, 'routing profile');
  managerOnly(by);
  const user = await findUserById(tx, input.userId);
  if (!user) throw new NotFound('User');
  if (!can(user.role, 'conversation.work')) throw new BadRequest('userId: this user does not work conversations', { fields: { userId: 'not_an_agent' } });
  const row = await lockProfile(tx, input.userId);
  // the agent's own slots are audited; the answer gives the slots routing counts with (see effectiveCapacity)
  const before = { skills: skillsOf(row.skills), capacity: storedCapacity(row.capacity) };
  const capacity = input.capacity ? patchCapacity(before.capacity, input.capacity) : undefined;
  await setRoutingProfile(tx, input.userId, { skills: input.skills, capacity });
  const after = { skills: input.skills ?? before.skills, capacity: capacity ?? before.capacity };
  await appendAudit(tx, { actor: by.actor, action: 'agent.routing_changed', subjectType: 'user', subjectId: input.userId, before, after });
  effects.publish({ type: 'routing' });
  pass(effects);
  const effective = await effectiveCapacities(tx, [{ id: input.userId, capacity: after.capacity }]);
  return { userId: input.userId, skills: after.skills, capacity: effective.get(input.userId)! };
}

export async function setChannelRouting(tx: Tx, effects: Effects, raw: z.input<typeof channelRoutingInput>, by: By) {
  const input = parseInput(channelRoutingInput, raw, 'channel routing');
  managerOnly(by);
  const channel = await lockChannelRouting(tx, input.channelId);
  if (!channel) throw new NotFound('Channel');
  const teamId = input.routing.teamId === undefined ? channel.routingTeamId : input.routing.teamId;
  if (teamId && !(await findTeam(tx, teamId))) throw new BadRequest('routing.teamId: no such team', { fields: { 'routing.teamId': 'unknown' } });
  await setChannelRoutingMode(tx, channel.id, input.routing.mode, teamId);
  await appendAudit(tx, {
    actor: by.actor,
    action: 'channel.routing_changed',
    subjectType: 'channel',
    subjectId: channel.id,
    channelId: channel.id,
    before: { mode: channel.routingMode, teamId: channel.routingTeamId },
    after: { mode: input.routing.mode, teamId },
  });
  effects.publish({ type: 'routing' });
  if (input.routing.mode === 'auto') pass(effects);
  return { channelId: channel.id, routing: { mode: input.routing.mode, teamId } };
}
