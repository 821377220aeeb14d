/**
 * Completing a task, and reopening it. Only after the tasks it depends on are done; a done task is reopened only
 * while no done task depends on it, and only on a conversation that is not closed. The assignee, a member of
 * the task's team, or a manager may do either. Audited with the conversation as subject.
 */
import { z } from 'zod';
import type { Tx } from '../../db/client';
import type { Role } from '../../db/schema';
import { appendAudit } from '../../db/repositories/audit.repo';
import { lockConversation } from '../../db/repositories/conversations.repo';
import { findTaskConversationId, isTeamMember, lockTasksOf, setTaskState } from '../../db/repositories/tasks.repo';
import { Conflict, Forbidden, NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import { can } from '../auth/permissions';
import type { Effects } from '../effects';
import { parseInput } from '../parseInput';
import { overdueTimer } from './overdueTask';
import { blockingTasks, doneDependents, type TaskNode } from './taskGraph';

/** conversationId: where the request came from (the conversation's page); a task of another case is not found. */
export const taskIdInput = z.object({ taskId: z.uuid(), conversationId: z.uuid().optional() });

type By = { actor: Actor; role: Role; user: { id: string }; now?: Date };

/** "2, 3": the numbers of tasks, for messages. */
export const numbersOf = (tasks: readonly TaskNode[]) => tasks.map((t) => t.number).join(', ');

async function lockTask(tx: Tx, raw: z.input<typeof taskIdInput>, by: By) {
  const { taskId, conversationId } = parseInput(taskIdInput, raw, 'task');
  if (!can(by.role, 'conversation.work')) throw new Forbidden('Your role may not work on tasks');
  const ref = await findTaskConversationId(tx, taskId);
  if (!ref || (conversationId && ref.conversationId !== conversationId)) throw new NotFound('Task');
  const c = (await lockConversation(tx, ref.conversationId))!;
  const tasks = await lockTasksOf(tx, c.id);
  const task = tasks.find((t) => t.id === taskId)!;
  const mine = task.assigneeId === by.user.id || (task.teamId !== null && (await isTeamMember(tx, task.teamId, by.user.id)));
  if (!mine && by.role !== 'manager') throw new Forbidden('Only the assignee, a member of its team or a manager may change this task');
  return { c, tasks, task };
}

export async function completeTask(tx: Tx, effects: Effects, raw: z.input<typeof taskIdInput>, by: By) {
  const { c, tasks, task } = await lockTask(tx, raw, by);
  if (task.state === 'done') throw new Conflict(`Task ${task.number} is already done`).showing('tasks.alreadyDone', { number: task.number });
  const blocking = blockingTasks(tasks, task);
  if (blocking.length)
    throw new Conflict(`Task ${task.number} comes after task(s) ${numbersOf(blocking)}, which are still open`, {
      blockedBy: blocking.map((t) => ({ id: t.id, number: t.number })),
    }).showing('tasks.blocked', { number: task.number, after: numbersOf(blocking) });
  const now = by.now ?? new Date();
  await moveTask(tx, effects, { c, task, by }, { state: 'done', completedBy: by.user.id, completedAt: now });
  if (task.dueAt && !task.overdueNotifiedAt) effects.cancel(overdueTimer(task.id, task.dueAt));
  return { id: task.id, number: task.number, state: 'done' as const, completedAt: now.toISOString() };
}

export async function reopenTask(tx: Tx, effects: Effects, raw: z.input<typeof taskIdInput>, by: By) {
  const { c, tasks, task } = await lockTask(tx, raw, by);
  if (task.state === 'open') throw new Conflict(`Task ${task.number} is open`).showing('tasks.alreadyOpen', { number: task.number });
  if (c.status === 'closed') throw new Conflict('The conversation is closed; reopen it first').showing('tasks.closedConversation');
  const after = doneDependents(tasks, task);
  if (after.length)
    throw new Conflict(`Task(s) ${numbersOf(after)} come after task ${task.number} and are done; reopen them first`).showing('tasks.dependentsDone', {
      number: task.number,
      after: numbersOf(after),
    });
  await moveTask(tx, effects, { c, task, by }, { state: 'open', completedBy: null, completedAt: null });
  if (task.dueAt && !task.overdueNotifiedAt) effects.enqueue(overdueTimer(task.id, task.dueAt));
  return { id: task.id, number: task.number, state: 'open' as const };
}

/** The state change itself, its audit event and the live refresh: the same for completing and reopening. */
async function moveTask(
  tx: Tx,
  effects: Effects,
  { c, task, by }: Pick<Awaited<ReturnType<typeof lockTask>>, 'c' | 'task'> & { by: By },
  to: Parameters<typeof setTaskState>[2],
) {
  await setTaskState(tx, task.id, to);
  await appendAudit(tx, {
    actor: by.actor,
    action: to.state === 'done' ? 'conversation.task_completed' : 'conversation.task_reopened',
    subjectType: 'conversation',
    subjectId: c.id,
    channelId: c.channelId,
    before: { taskId: task.id, number: task.number, state: task.state },
    after: { taskId: task.id, number: task.number, state: to.state },
  });
  effects.publish({ type: 'conversation', conversationId: c.id, channelId: c.channelId, change: 'status' });
}
