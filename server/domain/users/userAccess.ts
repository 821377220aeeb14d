/**
 * What an admin changes about a person's access: the role, and whether the account is active. Deactivating
 * ends the person's console sessions, revokes their API tokens and open password links in the same
 * transaction (so the next request is refused), and keeps everything they did. The last active admin can
 * neither lose the role nor be deactivated, and nobody deactivates themselves. Each change tells the web
 * processes to read the person's access again (an `access` live event after the commit).
 */
import { z } from 'zod';
import type { Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import { revokeOpenPasswordLinks } from '../../db/repositories/passwordLinks.repo';
import { deleteSessionsOfUser } from '../../db/repositories/sessions.repo';
import { countOtherActiveAdmins, findUserForUpdate, revokeOpenApiTokens, setUserDeactivatedAt, setUserRole } from '../../db/repositories/users.repo';
import { Conflict, NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import type { Effects } from '../effects';
import { parseInput } from '../parseInput';
import { ROLES } from './createUser';

export const roleInput = z.object({ userId: z.uuid(), role: z.enum(ROLES) });

async function lockUser(tx: Tx, userId: string) {
  const user = await findUserForUpdate(tx, userId);
  if (!user) throw new NotFound('User');
  return user;
}

/** Refused when the change would leave no active admin (the admins are counted under the user's row lock). */
async function keepAnAdmin(tx: Tx, user: { id: string; role: string; deactivatedAt: Date | null }) {
  if (user.role === 'admin' && !user.deactivatedAt && (await countOtherActiveAdmins(tx, user.id)) === 0) {
    throw new Conflict('This is the last active admin; make someone else admin first', { fields: { role: 'last admin' } });
  }
}

export async function changeUserRole(tx: Tx, effects: Effects, raw: z.input<typeof roleInput>, actor: Actor) {
  const { userId, role } = parseInput(roleInput, raw, 'role');
  const user = await lockUser(tx, userId);
  if (user.role === role) return user;
  if (role !== 'admin') await keepAnAdmin(tx, user);
  await setUserRole(tx, user.id, role);
  effects.publish({ type: 'access', userId: user.id });
  await appendAudit(tx, { actor, action: 'user.role_changed', subjectType: 'user', subjectId: user.id, before: { role: user.role }, after: { role } });
  return { ...user, role };
}

export async function deactivateUser(tx: Tx, effects: Effects, userId: string, actor: Actor) {
  const user = await lockUser(tx, userId);
  if (user.deactivatedAt) throw new Conflict(`${user.email} is already deactivated`);
  if (user.id === actor.id) throw new Conflict('You cannot deactivate your own account', { fields: { user: 'self' } });
  await keepAnAdmin(tx, user);
  const deactivatedAt = new Date();
  await setUserDeactivatedAt(tx, user.id, deactivatedAt);
  const sessionsEnded = await deleteSessionsOfUser(tx, user.id);
  const tokensRevoked = await revokeOpenApiTokens(tx, user.id);
  const linksRevoked = await revokeOpenPasswordLinks(tx, user.id);
  effects.publish({ type: 'access', userId: user.id });
  await appendAudit(tx, {
    actor,
    action: 'user.deactivated',
    subjectType: 'user',
    subjectId: user.id,
    before: { deactivatedAt: null },
    after: { deactivatedAt: deactivatedAt.toISOString(), sessionsEnded, tokensRevoked, linksRevoked },
  });
  return { sessionsEnded, tokensRevoked: tokensRevoked.length };
}

/** The account works again with its password; revoked tokens stay revoked (the person makes new ones). */
export async function reactivateUser(tx: Tx, effects: Effects, userId: string, actor: Actor) {
  const user = await lockUser(tx, userId);
  if (!user.deactivatedAt) throw new Conflict(`${user.email} is active`);
  await setUserDeactivatedAt(tx, user.id, null);
  effects.publish({ type: 'access', userId: user.id });
  await appendAudit(tx, {
    actor,
    action: 'user.reactivated',
    subjectType: 'user',
    subjectId: user.id,
    before: { deactivatedAt: user.deactivatedAt.toISOString() },
    after: { deactivatedAt: null },
  });
}
