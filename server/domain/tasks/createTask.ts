/**
 * Adding a step to a case: a task on an open conversation for one person or one team (a back-office team such as
 * "Buchhaltung" too), due at an instant, in N business hours or by the close of business on a date (taskDue.ts),
 * after the tasks it depends on. Audited with the conversation as subject; the overdue timer is enqueued after
 * commit.
 */
import { z } from 'zod';
import type { Tx } from '../../db/client';
import type { Role } from '../../db/schema';
import { appendAudit } from '../../db/repositories/audit.repo';
import { lockConversation } from '../../db/repositories/conversations.repo';
import { calendarOfConversation, insertTask, lockTasksOf } from '../../db/repositories/tasks.repo';
import { findTeam } from '../../db/repositories/teams.repo';
import { findUserById } from '../../db/repositories/users.repo';
import { BadRequest, Conflict, Forbidden, NotFound } from '../../errors';
import { DEFAULT_TIME_ZONE } from '../../i18n/translate';
import type { Actor } from '../audit/actor';
import { can } from '../auth/permissions';
import type { Effects } from '../effects';
import { parseInput } from '../parseInput';
import { compiledCalendarOf } from '../sla/calendarCache';
import { DAY_MS, parseIsoDate } from '../time/zonedTime';
import { dueInstant, type DueSpec } from './taskDue';
import { dependencyProblem, findTaskRef } from './taskGraph';
import { overdueTimer } from './overdueTask';

/** A case has at most this many steps; a task waits for at most this many. */
export const MAX_TASKS = 50;
const MAX_DEPENDENCIES = 20;

export const taskInput = z
  .object({
    conversationId: z.uuid(),
    title: z.string().trim().min(1, 'the title is empty').max(200, 'the title is too long (200 characters at most)'),
    assigneeId: z.uuid().optional(),
    teamId: z.uuid().optional(),
    /** one of: an instant, a number of business hours from now, a date (close of business that day) */
    dueAt: z.iso.datetime({ offset: true }).optional(),
    dueInBusinessHours: z.number().positive().max(2_000).optional(),
    dueDate: z.iso.date().optional(),
    /** the tasks this one comes after: their ids or their numbers in the case ("after task 2") */
    dependsOn: z
      .array(z.union([z.uuid(), z.number().int().min(1).max(MAX_TASKS)]))
      .max(MAX_DEPENDENCIES)
      .default([]),
  })
  .strict()
  .refine((t) => (t.assigneeId === undefined) !== (t.teamId === undefined), { message: 'give either assigneeId or teamId', path: ['assigneeId'] })
  .refine((t) => [t.dueAt, t.dueInBusinessHours, t.dueDate].filter((d) => d !== undefined).length <= 1, {
    message: 'give at most one of dueAt, dueInBusinessHours, dueDate',
    path: ['dueAt'],
  });
export type TaskInput = z.input<typeof taskInput>;

type By = { actor: Actor; role: Role; user: { id: string }; now?: Date };

function dueSpecOf(input: z.output<typeof taskInput>): DueSpec | null {
  if (input.dueAt) return { kind: 'at', at: new Date(input.dueAt) };
  if (input.dueInBusinessHours !== undefined) return { kind: 'businessHours', hours: input.dueInBusinessHours };
  if (input.dueDate) return { kind: 'date', day: parseIsoDate(input.dueDate)! };
  return null;
}

/** A due time beyond this is refused (a task due in the year 9999 is a typo or hostile input). */
const MAX_DUE_AHEAD_MS = 2 * 366 * 24 * 3_600_000;

/** The due instant of the input in the case's business time: in the future, at most two years ahead. */
async function dueAtOf(tx: Tx, conversationId: string, input: z.output<typeof taskInput>, now: Date): Promise<Date | null> {
  const spec = dueSpecOf(input);
  if (!spec) return null;
  const field = spec.kind === 'at' ? 'dueAt' : spec.kind === 'date' ? 'dueDate' : 'dueInBusinessHours';
  if (spec.kind === 'date' && spec.day * DAY_MS > now.getTime() + MAX_DUE_AHEAD_MS) throw dueTooFar(field);
  let dueAt: Date;
  try {
    dueAt = dueInstant(compiledCalendarOf(await calendarOfConversation(tx, conversationId)), spec, now, DEFAULT_TIME_ZONE);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    throw new BadRequest(`${field}: the case calendar has no open time within a year of it`, { fields: { [field]: 'no open time' } }).showing(
      'tasks.dueNoOpenTime',
    );
  }
  if (dueAt.getTime() <= now.getTime())
    throw new BadRequest('due: the due time must be in the future', { fields: { [field]: 'in the past' } }).showing('tasks.dueInPast');
  if (dueAt.getTime() > now.getTime() + MAX_DUE_AHEAD_MS) throw dueTooFar(field);
  return dueAt;
}

function dueTooFar(field: string) {
  return new BadRequest(`${field}: the due time is more than two years ahead`, { fields: { [field]: 'too far ahead' } }).showing('tasks.dueTooFar');
}

/** The person or team a task is for must exist (and the person be able to work cases). */
async function checkOwner(tx: Tx, input: z.output<typeof taskInput>) {
  if (input.assigneeId) {
    const user = await findUserById(tx, input.assigneeId);
    if (!user || user.deactivatedAt || !can(user.role, 'conversation.work'))
      throw new BadRequest('assigneeId: no active agent or manager with this id', { fields: { assigneeId: 'unknown' } });
  } else if (!(await findTeam(tx, input.teamId!))) {
    throw new BadRequest('teamId: no team with this id', { fields: { teamId: 'unknown' } });
  }
}

export async function createTask(tx: Tx, effects: Effects, raw: TaskInput, by: By) {
  if (!can(by.role, 'conversation.work')) throw new Forbidden('Your role may not add tasks');
  const input = parseInput(taskInput, raw, 'task');
  const now = by.now ?? new Date();
  const c = await lockConversation(tx, input.conversationId);
  if (!c) throw new NotFound('Conversation');
  if (c.status === 'closed') throw new Conflict('A closed conversation takes no new tasks; reopen it first').showing('tasks.closedConversation');
  await checkOwner(tx, input);
  const tasks = await lockTasksOf(tx, c.id);
  if (tasks.length >= MAX_TASKS) throw new Conflict(`A case has at most ${MAX_TASKS} tasks`).showing('tasks.tooMany', { max: MAX_TASKS });

  // the new task has no id yet, and nothing can depend on it: only unknown references are possible problems
  const problem = dependencyProblem(tasks, '', input.dependsOn);
  if (problem?.kind === 'unknown') throw new BadRequest(`dependsOn: no task ${problem.ref} in this case`, { fields: { dependsOn: 'unknown' } });
  const dependsOn = [...new Set(input.dependsOn.map((ref) => findTaskRef(tasks, ref)!))];

  const dueAt = await dueAtOf(tx, c.id, input, now);

  const number = tasks.reduce((max, t) => Math.max(max, t.number), 0) + 1;
  const row = await insertTask(
    tx,
    { conversationId: c.id, number, title: input.title, assigneeId: input.assigneeId ?? null, teamId: input.teamId ?? null, dueAt, createdBy: by.user.id },
    dependsOn.map((t) => t.id),
  );
  await appendAudit(tx, {
    actor: by.actor,
    action: 'conversation.task_created',
    subjectType: 'conversation',
    subjectId: c.id,
    channelId: c.channelId,
    // the title is case text (it may name the customer) and stays out of the chained event, like a note's text
    after: {
      taskId: row.id,
      number,
      ...(input.assigneeId ? { assigneeId: input.assigneeId } : { teamId: input.teamId! }),
      dueAt: dueAt?.toISOString() ?? null,
      dependsOn: dependsOn.map((t) => t.number),
    },
  });
  if (dueAt) effects.enqueue(overdueTimer(row.id, dueAt));
  effects.publish({ type: 'conversation', conversationId: c.id, channelId: c.channelId, change: 'status' });
  return { id: row.id, number, dueAt: dueAt?.toISOString() ?? null, dependsOn: dependsOn.map((t) => t.id) };
}
