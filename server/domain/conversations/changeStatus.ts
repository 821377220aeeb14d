/**
 * Changing a conversation's status by hand: save for later (with an optional reminder), close (with an
 * optional reason), reopen, mark answered. The transition must be allowed for the role and the state
 * machine; a refused transition is a 409 that names the allowed ones. Closing with open tasks is a 409 naming
 * them, unless a manager gives a reason (domain/tasks/closeGuard.ts).
 */
import { z } from 'zod';
import type { Tx } from '../../db/client';
import type { Role } from '../../db/schema';
import { appendAudit } from '../../db/repositories/audit.repo';
import { hasOpenChat } from '../../db/repositories/chatSessions.repo';
import { lockConversation } from '../../db/repositories/conversations.repo';
import { updateWorkflow } from '../../db/repositories/conversationState.repo';
import { BadRequest, Conflict, Forbidden, NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import type { Effects } from '../effects';
import { parseInput } from '../parseInput';
import { applySlaPause } from '../sla/pause';
import { assertFresh, versionOf } from './staleCheck';
import { checkTransition, reopenStatus } from './transitionPolicy';
import { routingPass } from '../routing/routingPass';
import { occupiesSlot } from '../routing/slots';
import { openTasksOnClose } from '../tasks/closeGuard';

export const statusInput = z.object({
  conversationId: z.uuid(),
  /** `reopen` picks `assigned` or `new` by the same rule as an inbound message */
  status: z.enum(['new', 'saved', 'assigned', 'answered', 'closed', 'reopen']),
  reason: z
    .string()
    .trim()
    .max(500)
    .optional()
    .transform((r) => r || undefined),
  remindAt: z.iso.datetime({ offset: true }).optional(),
  version: z.iso.datetime({ offset: true }).optional(),
});
export type StatusInput = z.input<typeof statusInput>;

export async function changeStatus(tx: Tx, effects: Effects, raw: StatusInput, by: { actor: Actor; role: Role; now?: Date }) {
  const input = parseInput(statusInput, raw, 'status change');
  const c = await lockConversation(tx, input.conversationId);
  if (!c) throw new NotFound('Conversation');
  await assertFresh(tx, c, input.version);

  const to = input.status === 'reopen' ? reopenStatus(c.assigneeId !== null) : input.status;
  const verdict = checkTransition(by.role, c.status, to, c.assigneeId !== null);
  if (!verdict.ok) {
    if (verdict.reason === 'role') throw new Forbidden('Your role may not change the status of conversations');
    if (verdict.reason === 'needs_assignee')
      throw new Conflict('Assign the conversation to someone before marking it assigned', { allowed: [] }).showing('conv.needsAssignee');
    throw new Conflict(`A conversation that is ${c.status} cannot become ${to}; allowed: ${verdict.allowed.join(', ')}`, { allowed: verdict.allowed }).showing(
      'conv.transitionRefused',
    );
  }
  if (input.remindAt && to !== 'saved')
    throw new BadRequest('remindAt: only a conversation saved for later gets a reminder', { fields: { remindAt: 'only with status saved' } });
  if (input.reason && to !== 'closed') throw new BadRequest('reason: only closing takes a reason', { fields: { reason: 'only with status closed' } });
  const remindAt = input.remindAt ? new Date(input.remindAt) : null;
  if (remindAt && remindAt.getTime() <= (by.now ?? new Date()).getTime()) {
    throw new BadRequest('remindAt: the reminder time must be in the future', { fields: { remindAt: 'in the past' } });
  }

  const closeReason = to === 'closed' ? (input.reason ?? null) : null;
  // open steps of the case block closing, unless a manager gives a reason (then they are named in the event)
  const openTasks = to === 'closed' ? await openTasksOnClose(tx, c.id, { role: by.role, reason: input.reason }) : [];
  const { updatedAt } = await updateWorkflow(tx, c.id, { status: to, remindAt, closeReason });
  await applySlaPause(tx, { conversationId: c.id, channelId: c.channelId, from: c.status, to, actor: by.actor, now: by.now });
  await appendAudit(tx, {
    actor: by.actor,
    action: 'conversation.status_changed',
    subjectType: 'conversation',
    subjectId: c.id,
    channelId: c.channelId,
    before: { status: c.status, ...(c.remindAt ? { remindAt: c.remindAt.toISOString() } : {}), ...(c.closeReason ? { reason: c.closeReason } : {}) },
    after: {
      status: to,
      ...(remindAt ? { remindAt: remindAt.toISOString() } : {}),
      ...(closeReason ? { reason: closeReason } : {}),
      ...(openTasks.length ? { openTasks } : {}),
    },
  });
  if (remindAt) effects.enqueue({ name: 'conversation-reminder', data: { conversationId: c.id, remindAt: remindAt.toISOString() } });
  effects.publish({ type: 'conversation', conversationId: c.id, channelId: c.channelId, change: 'status' });
  // a freed slot, or a conversation back in its queue: the router may act
  const openChat = c.status === 'answered' && (await hasOpenChat(tx, c.id));
  if ((occupiesSlot(c.status, openChat) && !occupiesSlot(to, openChat)) || to === 'new') effects.enqueue(routingPass());
  return { status: to, remindAt: remindAt?.toISOString() ?? null, reason: closeReason, version: versionOf(updatedAt) };
}
