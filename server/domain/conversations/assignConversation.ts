/**
 * Assigning a conversation to a colleague and/or a team, or unassigning it. The row is locked first, so
 * concurrent assignments queue up; with a form version, the second one finds the row changed and gets 409.
 */
import { z } from 'zod';
import type { Tx } from '../../db/client';
import type { Role } from '../../db/schema';
import { appendAudit } from '../../db/repositories/audit.repo';
import { lockConversation } from '../../db/repositories/conversations.repo';
import { hasOpenChat, lockChatSession } from '../../db/repositories/chatSessions.repo';
import { findChannel } from '../../db/repositories/channels.repo';
import { findTeam } from '../../db/repositories/teams.repo';
import { findUserById } from '../../db/repositories/users.repo';
import { updateWorkflow } from '../../db/repositories/conversationState.repo';
import { BadRequest, Forbidden, NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import { botLetsGo } from '../bot/botLetsGo';
import type { Effects } from '../effects';
import { parseInput } from '../parseInput';
import { checkCapacity, lockAgentSlots } from '../routing/capacityCheck';
import { occupiesSlot } from '../routing/slots';
import { assertFresh, versionOf } from './staleCheck';
import { mayWorkConversations, statusAfterAssignment } from './transitionPolicy';
import { routingPass } from '../routing/routingPass';

export const assignInput = z.object({
  conversationId: z.uuid(),
  /** null unassigns */
  assigneeId: z.uuid().nullable(),
  /** undefined keeps the team, null clears it */
  teamId: z.uuid().nullable().optional(),
  version: z.iso.datetime({ offset: true }).optional(),
  /** a manager's reason to assign an agent whose slots are all in use (routing/capacityCheck.ts) */
  overCapacityReason: z.string().trim().min(1).max(500).optional(),
});
export type AssignInput = z.input<typeof assignInput>;

export type AssignResult = { changed: boolean; status: string; assigneeId: string | null; teamId: string | null; version: string };

export async function assignConversation(tx: Tx, effects: Effects, raw: AssignInput, by: { actor: Actor; role: Role }): Promise<AssignResult> {
  const input = parseInput(assignInput, raw, 'assignment');
  if (!mayWorkConversations(by.role)) throw new Forbidden('Your role may not assign conversations');
  // the assignee's slots first (router lock, then profile, then conversation: the router's order)
  const slots = input.assigneeId && (await findUserById(tx, input.assigneeId)) ? await lockAgentSlots(tx, input.assigneeId) : null;
  // a chat's session before its conversation (the chat's order): the bot may have to let go of it below
  const chat = await lockChatSession(tx, input.conversationId);
  const c = await lockConversation(tx, input.conversationId);
  if (!c) throw new NotFound('Conversation');
  await assertFresh(tx, c, input.version);

  if (input.assigneeId) {
    const assignee = await findUserById(tx, input.assigneeId);
    if (!assignee || !mayWorkConversations(assignee.role)) {
      throw new BadRequest('assigneeId: no colleague with that id works conversations', { fields: { assigneeId: 'unknown' } }).showing('conv.assigneeUnknown');
    }
  }
  const teamId = input.teamId === undefined ? c.teamId : input.teamId;
  if (teamId && teamId !== c.teamId && !(await findTeam(tx, teamId))) {
    throw new BadRequest('teamId: no such team', { fields: { teamId: 'unknown' } });
  }
  const status = statusAfterAssignment(c.status, input.assigneeId);
  const before = { assigneeId: c.assigneeId, teamId: c.teamId, status: c.status };
  const after = { assigneeId: input.assigneeId, teamId, status };
  if (before.assigneeId === after.assigneeId && before.teamId === after.teamId) {
    return { changed: false, ...before, version: versionOf(c.updatedAt) };
  }
  const kind = slots && before.assigneeId !== after.assigneeId ? (await findChannel(tx, c.channelId))!.kind : null;
  const overCapacity =
    slots && kind && occupiesSlot(status, status === 'answered' && (await hasOpenChat(tx, c.id)))
      ? checkCapacity(slots, { kind, threadKey: c.threadKey }, by, input.overCapacityReason)
      : null;

  const { updatedAt } = await updateWorkflow(tx, c.id, { assigneeId: input.assigneeId, teamId, status });
  await appendAudit(tx, {
    actor: by.actor,
    action: input.assigneeId || teamId ? 'conversation.assigned' : 'conversation.unassigned',
    subjectType: 'conversation',
    subjectId: c.id,
    channelId: c.channelId,
    before,
    after: overCapacity ? { ...after, overCapacity } : after,
  });
  if (input.assigneeId) await botLetsGo(tx, { id: c.id, channelId: c.channelId, status }, chat, { actor: by.actor, now: new Date() });
  effects.publish({ type: 'conversation', conversationId: c.id, channelId: c.channelId, change: 'status' });
  // unassigning frees a slot (and puts the conversation back in its queue): the router may fill it
  if (before.assigneeId && before.assigneeId !== after.assigneeId) effects.enqueue(routingPass());
  return { changed: true, ...after, version: versionOf(updatedAt) };
}
