/** Teams and who belongs to them, changed by admins; every change audited. */
import { z } from 'zod';
import type { Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import { addTeamMember, findTeam, findTeamByName, insertTeam, removeTeamMember } from '../../db/repositories/teams.repo';
import { findUserById } from '../../db/repositories/users.repo';
import { Conflict, NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import { parseInput } from '../parseInput';

export const teamInput = z.object({ name: z.string().trim().min(1).max(80) });
export const membershipInput = z.object({ userId: z.uuid(), teamId: z.uuid() });

export async function createTeam(tx: Tx, raw: z.input<typeof teamInput>, actor: Actor) {
  const { name } = parseInput(teamInput, raw, 'team');
  if (await findTeamByName(tx, name)) throw new Conflict(`A team named ${name} already exists`, { fields: { name: 'taken' } });
  const team = await insertTeam(tx, name);
  await appendAudit(tx, { actor, action: 'team.created', subjectType: 'team', subjectId: team.id, after: { name } });
  return team;
}

async function teamAndUser(tx: Tx, raw: z.input<typeof membershipInput>) {
  const { userId, teamId } = parseInput(membershipInput, raw, 'team membership');
  const [team, user] = await Promise.all([findTeam(tx, teamId), findUserById(tx, userId)]);
  if (!user) throw new NotFound('User');
  if (!team) throw new Conflict(`Team ${teamId} does not exist`, { fields: { teamId: 'unknown' } });
  return { team, user };
}

export async function joinTeam(tx: Tx, raw: z.input<typeof membershipInput>, actor: Actor) {
  const { team, user } = await teamAndUser(tx, raw);
  if (!(await addTeamMember(tx, team.id, user.id))) return;
  await appendAudit(tx, { actor, action: 'team.member_added', subjectType: 'team', subjectId: team.id, after: { userId: user.id, team: team.name } });
}

export async function leaveTeam(tx: Tx, raw: z.input<typeof membershipInput>, actor: Actor) {
  const { team, user } = await teamAndUser(tx, raw);
  if (!(await removeTeamMember(tx, team.id, user.id))) return;
  await appendAudit(tx, { actor, action: 'team.member_removed', subjectType: 'team', subjectId: team.id, before: { userId: user.id, team: team.name } });
}
