/**
 * Agent availability: online, away (with a reason) or offline — set by the agent in the console header, by
 * a manager of one of their teams, or by the system (the last console tab closed, signing out). Audited; coming
 * online asks for a routing pass (free slots now), and managers' consoles hear of every change.
 */
import { z } from 'zod';
import type { Tx } from '../../db/client';
import { lockProfile, setAvailability as writeAvailability, shareTeam } from '../../db/repositories/agentProfiles.repo';
import { appendAudit } from '../../db/repositories/audit.repo';
import { findUserById } from '../../db/repositories/users.repo';
import type { Role } from '../../db/schema';
import { BadRequest, Forbidden, NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import { can } from '../auth/permissions';
import type { Effects } from '../effects';
import { parseInput } from '../parseInput';
import { routingPass } from '../routing/routingPass';

export const AWAY_REASONS = ['break', 'meeting', 'training', 'back_office'] as const;

export const availabilityInput = z
  .object({
    userId: z.uuid(),
    status: z.enum(['online', 'away', 'offline']),
    reason: z.enum(AWAY_REASONS).optional(),
  })
  .refine((v) => (v.status === 'away') === (v.reason !== undefined), { message: 'reason is required with away, and only with away', path: ['reason'] });
export type AvailabilityInput = z.input<typeof availabilityInput>;

/** May `by` change `userId`'s availability? Themselves; a manager for the agents of their teams. */
export async function mayActFor(tx: Tx, by: { id: string; role: Role }, userId: string): Promise<boolean> {
  if (by.id === userId) return true;
  return can(by.role, 'settings.manage') && by.role === 'manager' && shareTeam(tx, by.id, userId);
}

export async function changeAvailability(
  tx: Tx,
  effects: Effects,
  raw: AvailabilityInput,
  by: { actor: Actor; user: { id: string; role: Role } | null },
): Promise<{ status: string; reason: string | null; changed: boolean }> {
  const input = parseInput(availabilityInput, raw, 'presence');
  const target = await findUserById(tx, input.userId);
  if (!target) throw new NotFound('User');
  if (!can(target.role, 'conversation.work')) throw new BadRequest('userId: this user does not work conversations', { fields: { userId: 'not_an_agent' } });
  if (by.user && !(await mayActFor(tx, by.user, input.userId))) throw new Forbidden('Only the agent or a manager of their team may change their presence');
  const before = await lockProfile(tx, input.userId);
  const reason = input.reason ?? null;
  if (before.availability === input.status && before.awayReason === reason) return { status: input.status, reason, changed: false };
  await writeAvailability(tx, input.userId, input.status, reason, input.status === 'online' && before.availability !== 'online');
  await appendAudit(tx, {
    actor: by.actor,
    action: 'agent.availability_changed',
    subjectType: 'user',
    subjectId: input.userId,
    channelId: null,
    before: { status: before.availability, reason: before.awayReason },
    after: { status: input.status, reason },
  });
  effects.publish({ type: 'routing' });
  if (input.status === 'online') effects.enqueue(routingPass());
  return { status: input.status, reason, changed: true };
}
