/** Tasks of multi-step cases (024_case_tasks): the tasks of a conversation, one person's tasks, overdue timers. */
import { sql, type ExpressionBuilder } from 'kysely';
import type { DbOrTx, Tx } from '../client';
import { compiledOnce } from '../compiledOnce';
import type { Database } from '../schema';
import type { StoredCalendar } from '../../domain/sla/calendarCache';

/** The ids a task waits for, as one array column. */
const dependsOnOf = (eb: ExpressionBuilder<Database, 'conversationTasks'>) =>
  eb
    .fn<string[]>('coalesce', [
      sql`(SELECT array_agg(d.depends_on_id ORDER BY d.depends_on_id) FROM task_dependencies d WHERE d.task_id = conversation_tasks.id)`,
      sql`'{}'::uuid[]`,
    ])
    .as('dependsOn');

const taskColumns = [
  'conversationTasks.id',
  'conversationTasks.conversationId',
  'conversationTasks.number',
  'conversationTasks.title',
  'conversationTasks.assigneeId',
  'conversationTasks.teamId',
  'conversationTasks.dueAt',
  'conversationTasks.state',
  'conversationTasks.createdAt',
  'conversationTasks.completedAt',
  'conversationTasks.overdueNotifiedAt',
] as const;

/** A conversation's tasks in order, with who they are for (names) and what they wait for. */
export function listTasksOf(db: DbOrTx, conversationId: string) {
  return tasksOf(db, { conversationId });
}

const tasksOf = compiledOnce((db, { conversationId }: { conversationId: string }) =>
  db
    .selectFrom('conversationTasks')
    .leftJoin('users as a', 'a.id', 'conversationTasks.assigneeId')
    .leftJoin('teams as tm', 'tm.id', 'conversationTasks.teamId')
    .leftJoin('users as cb', 'cb.id', 'conversationTasks.completedBy')
    .select(taskColumns)
    .select(['a.name as assigneeName', 'tm.name as teamName', 'cb.name as completedByName', dependsOnOf])
    .where('conversationTasks.conversationId', '=', conversationId)
    .orderBy('conversationTasks.number'),
);

/** The same, locked (commands that add, complete or reopen a task, or close the conversation, queue up here). */
export function lockTasksOf(tx: Tx, conversationId: string) {
  return tx
    .selectFrom('conversationTasks')
    .select(taskColumns)
    .select(dependsOnOf)
    .where('conversationTasks.conversationId', '=', conversationId)
    .orderBy('conversationTasks.number')
    .forUpdate()
    .execute();
}

export function findTaskConversationId(db: DbOrTx, taskId: string) {
  return db.selectFrom('conversationTasks').select('conversationId').where('id', '=', taskId).executeTakeFirst();
}

export async function insertTask(
  tx: Tx,
  t: { conversationId: string; number: number; title: string; assigneeId: string | null; teamId: string | null; dueAt: Date | null; createdBy: string },
  dependsOn: string[],
) {
  const row = await tx.insertInto('conversationTasks').values(t).returning(['id', 'number', 'createdAt']).executeTakeFirstOrThrow();
  if (dependsOn.length)
    await tx
      .insertInto('taskDependencies')
      .values(dependsOn.map((d) => ({ taskId: row.id, dependsOnId: d })))
      .execute();
  return row;
}

export function setTaskState(tx: Tx, taskId: string, set: { state: 'open' | 'done'; completedBy: string | null; completedAt: Date | null }) {
  return tx.updateTable('conversationTasks').set(set).where('id', '=', taskId).execute();
}

/** The calendar due times of the conversation's tasks count in: its service level's, else its channel's (null: 24/7). */
export async function calendarOfConversation(db: DbOrTx, conversationId: string): Promise<StoredCalendar> {
  const row = await db
    .selectFrom('conversations as c')
    .innerJoin('channels as ch', 'ch.id', 'c.channelId')
    .leftJoin('slaPolicies as p', (join) => join.on((eb) => eb('p.id', '=', eb.fn.coalesce('c.slaPolicyId', 'ch.slaPolicyId'))))
    .leftJoin('calendars as cal', (join) => join.on((eb) => eb('cal.id', '=', eb.fn.coalesce('p.calendarId', 'ch.calendarId'))))
    .select(['cal.id as calendarId', 'cal.definition as calendarDefinition', 'cal.updatedAt as calendarUpdatedAt'])
    .where('c.id', '=', conversationId)
    .executeTakeFirst();
  return { calendarId: row?.calendarId ?? null, calendarDefinition: row?.calendarDefinition ?? null, calendarUpdatedAt: row?.calendarUpdatedAt ?? null };
}

export type TaskListFilter = { userId: string; state: 'open' | 'done' | 'all'; limit: number };

/**
 * The tasks of one person: assigned to them or to one of their teams, on conversations not closed; overdue
 * first (then by due time, those without one last), each with its case and what it waits for.
 */
export function listTasksFor(db: DbOrTx, f: TaskListFilter, now: Date) {
  let q = db
    .selectFrom('conversationTasks')
    .innerJoin('conversations as c', 'c.id', 'conversationTasks.conversationId')
    .leftJoin('users as a', 'a.id', 'conversationTasks.assigneeId')
    .leftJoin('teams as tm', 'tm.id', 'conversationTasks.teamId')
    .select(taskColumns)
    .select(['c.caseNumber', 'c.status as conversationStatus', 'a.name as assigneeName', 'tm.name as teamName', dependsOnOf])
    .select(
      sql<number>`(SELECT count(*)::int FROM task_dependencies d JOIN conversation_tasks o ON o.id = d.depends_on_id
        WHERE d.task_id = conversation_tasks.id AND o.state = 'open')`.as('openDependencies'),
    )
    .where('c.status', '<>', 'closed')
    .where((eb) =>
      eb.or([
        eb('conversationTasks.assigneeId', '=', f.userId),
        eb('conversationTasks.teamId', 'in', eb.selectFrom('teamMembers').select('teamId').where('userId', '=', f.userId)),
      ]),
    );
  if (f.state !== 'all') q = q.where('conversationTasks.state', '=', f.state);
  return q
    .orderBy(sql`(conversation_tasks.state = 'open' AND conversation_tasks.due_at < ${now})`, 'desc')
    .orderBy('conversationTasks.dueAt', (ob) => ob.asc().nullsLast())
    .orderBy('conversationTasks.createdAt')
    .limit(f.limit)
    .execute();
}

/** Everything the overdue notice needs, the task locked. */
export function lockTaskForOverdue(tx: Tx, taskId: string) {
  return tx
    .selectFrom('conversationTasks as t')
    .innerJoin('conversations as c', 'c.id', 't.conversationId')
    .select([
      't.id',
      't.number',
      't.state',
      't.dueAt',
      't.assigneeId',
      't.teamId',
      't.overdueNotifiedAt',
      't.conversationId',
      'c.channelId',
      'c.status as conversationStatus',
      'c.teamId as conversationTeamId',
    ])
    .where('t.id', '=', taskId)
    .forUpdate(['t'])
    .executeTakeFirst();
}

export function markOverdueNotified(tx: Tx, taskId: string, at: Date) {
  return tx.updateTable('conversationTasks').set({ overdueNotifiedAt: at }).where('id', '=', taskId).execute();
}

/** Active members of a team (who is told when the team's task is overdue). */
export async function activeMembersOf(db: DbOrTx, teamId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('teamMembers as tm')
    .innerJoin('users as u', 'u.id', 'tm.userId')
    .select('u.id')
    .where('tm.teamId', '=', teamId)
    .where('u.deactivatedAt', 'is', null)
    .execute();
  return rows.map((r) => r.id);
}

export function isTeamMember(db: DbOrTx, teamId: string, userId: string) {
  return db.selectFrom('teamMembers').select('userId').where('teamId', '=', teamId).where('userId', '=', userId).executeTakeFirst();
}

export async function insertTaskNotifications(tx: Tx, n: { userIds: string[]; conversationId: string; taskId: string; actorName: string }) {
  if (n.userIds.length === 0) return;
  await tx
    .insertInto('notifications')
    .values(
      n.userIds.map((userId) => ({
        userId,
        kind: 'task_overdue' as const,
        conversationId: n.conversationId,
        taskId: n.taskId,
        actorName: n.actorName,
        readAt: null,
      })),
    )
    .execute();
}

/** The overdue notices still owed (open tasks of open conversations, due, not yet told): the reconciler re-adds their jobs. */
export function listOwedOverdueTimers(db: DbOrTx) {
  return db
    .selectFrom('conversationTasks as t')
    .innerJoin('conversations as c', 'c.id', 't.conversationId')
    .select(['t.id', 't.dueAt'])
    .where('t.state', '=', 'open')
    .where('t.overdueNotifiedAt', 'is', null)
    .where('t.dueAt', 'is not', null)
    .where('c.status', '<>', 'closed')
    .execute();
}
