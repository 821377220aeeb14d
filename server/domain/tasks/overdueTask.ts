/**
 * The overdue notice of a task, like an SLA warning: a delayed job fires at the due instant; the assignee (or
 * every member of the task's team) and the team's managers (the conversation's team's for a person's task; all
 * managers when there is no team) get a notification in the bell, once — the task row records that they were
 * told, under a row lock, so a job that runs twice (or a re-enqueued one) changes nothing.
 */
import type { Tx } from '../../db/client';
import { managersOf } from '../../db/repositories/alerts.repo';
import { lockConversation } from '../../db/repositories/conversations.repo';
import { appendAudit } from '../../db/repositories/audit.repo';
import { activeMembersOf, findTaskConversationId, insertTaskNotifications, lockTaskForOverdue, markOverdueNotified } from '../../db/repositories/tasks.repo';
import { systemActor } from '../audit/actor';
import type { Effects, JobRequest } from '../effects';

const overdueActor = systemActor('worker:tasks');

/** The delayed job that tells people when the task is due and still open. */
export const overdueTimer = (taskId: string, dueAt: Date): JobRequest => ({ name: 'task-overdue', data: { taskId, runAt: dueAt.toISOString() } });

export type OverdueOutcome = 'told' | 'skipped';

export async function fireTaskOverdue(tx: Tx, effects: Effects, taskId: string, now: Date): Promise<OverdueOutcome> {
  // The conversation first, then the task: the order every task command locks in, so the two never deadlock.
  const owner = await findTaskConversationId(tx, taskId);
  if (!owner) return 'skipped';
  await lockConversation(tx, owner.conversationId);
  const task = await lockTaskForOverdue(tx, taskId);
  if (task?.state !== 'open' || !task.dueAt || task.overdueNotifiedAt || task.conversationStatus === 'closed') return 'skipped';
  // a job that runs early (clock skew between hosts) does nothing; the reconciler adds it again
  if (now.getTime() < task.dueAt.getTime() - 1_000) return 'skipped';
  await markOverdueNotified(tx, task.id, now);
  const owners = task.assigneeId ? [task.assigneeId] : await activeMembersOf(tx, task.teamId!);
  const recipients = [...new Set([...owners, ...(await managersOf(tx, task.teamId ?? task.conversationTeamId))])];
  await insertTaskNotifications(tx, { userIds: recipients, conversationId: task.conversationId, taskId: task.id, actorName: 'Replyline' });
  await appendAudit(tx, {
    actor: overdueActor,
    action: 'conversation.task_overdue',
    subjectType: 'conversation',
    subjectId: task.conversationId,
    channelId: task.channelId,
    after: { taskId: task.id, number: task.number, dueAt: task.dueAt.toISOString(), told: recipients.length },
  });
  for (const userId of recipients) effects.publish({ type: 'notification', userId });
  return 'told';
}
