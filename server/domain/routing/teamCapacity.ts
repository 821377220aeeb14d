/**
 * A team's default slots per channel class, set by managers and admins: what its members without slots of their
 * own get (see effectiveCapacity). Audited with before/after; more or fewer slots may open work, so a routing
 * pass follows.
 */
import { z } from 'zod';
import type { Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import { lockTeamCapacity, setTeamCapacity } from '../../db/repositories/teams.repo';
import type { Role } from '../../db/schema';
import { Forbidden, NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import { can } from '../auth/permissions';
import type { Effects } from '../effects';
import { parseInput } from '../parseInput';
import { capacityPatchSchema, patchCapacity, storedCapacity } from './agents';
import { routingPass } from './routingPass';

export const teamCapacityInput = z.object({ teamId: z.uuid(), capacity: capacityPatchSchema }).strict();

export async function setTeamDefaultCapacity(tx: Tx, effects: Effects, raw: z.input<typeof teamCapacityInput>, by: { actor: Actor; role: Role }) {
  const input = parseInput(teamCapacityInput, raw, 'team slots');
  if (!can(by.role, 'settings.manage')) throw new Forbidden('Only managers and admins set team slots');
  const team = await lockTeamCapacity(tx, input.teamId);
  if (!team) throw new NotFound('Team');
  const before = storedCapacity(team.defaultCapacity);
  const after = patchCapacity(before, input.capacity);
  await setTeamCapacity(tx, team.id, after);
  await appendAudit(tx, {
    actor: by.actor,
    action: 'team.capacity_changed',
    subjectType: 'team',
    subjectId: team.id,
    before: { team: team.name, capacity: before },
    after: { team: team.name, capacity: after },
  });
  effects.publish({ type: 'routing' });
  effects.enqueue(routingPass());
  return { teamId: team.id, name: team.name, capacity: after };
}
