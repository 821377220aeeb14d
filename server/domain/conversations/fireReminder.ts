/**
 * A saved conversation's reminder is due: it comes back to `assigned` (if someone owns it) or `new`.
 * Idempotent: a conversation no longer saved, or saved with another reminder time, is left alone.
 */
import type { Db } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import { lockConversation } from '../../db/repositories/conversations.repo';
import { updateWorkflow } from '../../db/repositories/conversationState.repo';
import { systemActor } from '../audit/actor';
import { inTransaction, type Dispatcher } from '../effects';
import { applySlaPause } from '../sla/pause';
import { reopenStatus } from './transitionPolicy';

const actor = systemActor('worker:reminders');

export type ReminderOutcome = 'reopened' | 'skipped' | 'early';

export async function fireReminder(
  deps: { db: Db; dispatcher: Dispatcher },
  conversationId: string,
  remindAt: string,
  now = new Date(),
): Promise<ReminderOutcome> {
  return inTransaction(deps.db, deps.dispatcher, async (tx, effects) => {
    const c = await lockConversation(tx, conversationId);
    if (c?.status !== 'saved' || !c.remindAt || c.remindAt.getTime() !== Date.parse(remindAt)) return 'skipped';
    if (c.remindAt.getTime() > now.getTime()) return 'early';
    const status = reopenStatus(c.assigneeId !== null);
    await updateWorkflow(tx, c.id, { status, remindAt: null });
    await applySlaPause(tx, { conversationId: c.id, channelId: c.channelId, from: c.status, to: status, actor, now });
    await appendAudit(tx, {
      actor,
      action: 'conversation.reminder_due',
      subjectType: 'conversation',
      subjectId: c.id,
      channelId: c.channelId,
      before: { status: c.status, remindAt: c.remindAt.toISOString() },
      after: { status },
    });
    effects.publish({ type: 'conversation', conversationId: c.id, channelId: c.channelId, change: 'status' });
    return 'reopened';
  });
}
