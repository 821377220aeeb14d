/**
 * Absences: vacation and sick days per agent (from–to), entered by the agent's manager or an admin. An absent
 * agent gets no new work (the router checks absences), and when the absence starts their open conversations go
 * back to the queue or to the named deputy — each with an audit event naming the absence's reason.
 */
import { z } from 'zod';
import type { Tx } from '../../db/client';
import {
  cancelAbsence,
  handOver,
  insertAbsence,
  lockAbsence,
  lockOpenConversationsOf,
  lockStartedAbsences,
  markHandedBack,
} from '../../db/repositories/absences.repo';
import { shareTeam } from '../../db/repositories/agentProfiles.repo';
import { appendAudit, appendAuditBatch } from '../../db/repositories/audit.repo';
import { takeRouterLock } from '../../db/repositories/routing.repo';
import { findUserById } from '../../db/repositories/users.repo';
import type { Role } from '../../db/schema';
import { BadRequest, Forbidden, NotFound } from '../../errors';
import { systemActor, type Actor } from '../audit/actor';
import { can } from '../auth/permissions';
import type { Effects } from '../effects';
import { parseInput } from '../parseInput';
import { routingPass } from '../routing/routingPass';

/** The longest absence one entry may cover. */
const MAX_ABSENCE_DAYS = 366;

export const absenceInput = z
  .object({
    userId: z.uuid(),
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    reason: z.enum(['vacation', 'sick', 'other']),
    deputyId: z.uuid().optional(),
  })
  .strict()
  .refine((a) => Date.parse(a.to) > Date.parse(a.from), { message: 'to must be after from', path: ['to'] })
  .refine((a) => Date.parse(a.to) - Date.parse(a.from) <= MAX_ABSENCE_DAYS * 86_400_000, { message: `at most ${MAX_ABSENCE_DAYS} days`, path: ['to'] })
  .refine((a) => a.deputyId !== a.userId, { message: 'the deputy must be someone else', path: ['deputyId'] });

type By = { actor: Actor; user: { id: string; role: Role } };

/** Admins for everyone; managers for the agents of their teams. */
async function mayManageAbsences(tx: Tx, by: By['user'], userId: string): Promise<boolean> {
  if (by.role === 'admin') return true;
  return by.role === 'manager' && can(by.role, 'settings.manage') && (by.id === userId || (await shareTeam(tx, by.id, userId)));
}

export async function createAbsence(tx: Tx, effects: Effects, raw: z.input<typeof absenceInput>, by: By) {
  const input = parseInput(absenceInput, raw, 'absence');
  const agent = await findUserById(tx, input.userId);
  if (!agent || !can(agent.role, 'conversation.work'))
    throw new BadRequest('userId: no colleague with that id works conversations', { fields: { userId: 'unknown' } });
  if (!(await mayManageAbsences(tx, by.user, input.userId))) throw new Forbidden('Only an admin or a manager of their team may enter absences');
  if (input.deputyId) {
    const deputy = await findUserById(tx, input.deputyId);
    if (!deputy || !can(deputy.role, 'conversation.work'))
      throw new BadRequest('deputyId: no colleague with that id works conversations', { fields: { deputyId: 'unknown' } });
  }
  const row = await insertAbsence(tx, {
    userId: input.userId,
    startsAt: new Date(input.from),
    endsAt: new Date(input.to),
    reason: input.reason,
    deputyId: input.deputyId ?? null,
    createdBy: by.user.id,
  });
  await appendAudit(tx, {
    actor: by.actor,
    action: 'absence.created',
    subjectType: 'user',
    subjectId: input.userId,
    after: { absenceId: row.id, from: input.from, to: input.to, reason: input.reason, deputyId: input.deputyId ?? null },
  });
  // an absence that has already begun hands back at once (the sweep would, a little later)
  if (row.startsAt <= new Date()) effects.enqueue({ name: 'routing-sweep', data: { trigger: 'absence' } });
  return row;
}

export async function removeAbsence(tx: Tx, id: string, by: By) {
  const row = await lockAbsence(tx, id);
  if (!row) throw new NotFound('Absence');
  if (!(await mayManageAbsences(tx, by.user, row.userId))) throw new Forbidden('Only an admin or a manager of their team may remove absences');
  await cancelAbsence(tx, id);
  await appendAudit(tx, {
    actor: by.actor,
    action: 'absence.cancelled',
    subjectType: 'user',
    subjectId: row.userId,
    before: { absenceId: id, reason: row.reason },
  });
}

/**
 * Absences that have begun: the agent's open conversations go to the deputy (or back to the queue, if none),
 * one audit event per conversation naming the absence's reason. Returns how many conversations moved.
 */
export async function startAbsences(tx: Tx, effects: Effects, now = new Date()): Promise<number> {
  await takeRouterLock(tx);
  const actor = systemActor('absences');
  let moved = 0;
  for (const a of await lockStartedAbsences(tx, now)) {
    const open = await lockOpenConversationsOf(tx, a.userId);
    const reason = { rule: a.deputyId ? 'absence_deputy' : 'absence_queue', absence: a.reason };
    await handOver(
      tx,
      open.map((c) => c.id),
      a.deputyId,
      reason,
    );
    await appendAuditBatch(
      tx,
      open.map((c) => ({
        actor,
        action: 'conversation.routed' as const,
        subjectType: 'conversation',
        subjectId: c.id,
        channelId: c.channelId,
        before: { assigneeId: a.userId, status: c.status },
        after: { assigneeId: a.deputyId, status: c.status === 'assigned' && !a.deputyId ? 'new' : c.status, reason },
      })),
    );
    await appendAudit(tx, {
      actor,
      action: 'absence.started',
      subjectType: 'user',
      subjectId: a.userId,
      after: { absenceId: a.id, reason: a.reason, handedBack: open.length },
    });
    await markHandedBack(tx, a.id);
    for (const c of open) effects.publish({ type: 'conversation', conversationId: c.id, channelId: c.channelId, change: 'status' });
    moved += open.length;
  }
  if (moved) {
    effects.publish({ type: 'routing' });
    effects.enqueue(routingPass());
  }
  return moved;
}
