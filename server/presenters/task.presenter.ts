/** Tasks of multi-step cases as the API and the views show them: due state, what a task waits for, who it is for. */
import type { listTasksFor, listTasksOf } from '../db/repositories/tasks.repo';
import { caseProgress, caseProgressText } from '../domain/tasks/caseProgress';
import type { ConversationStatus } from '../db/schema';
import type { Translate } from '../i18n/translate';

export type TaskRow = Awaited<ReturnType<typeof listTasksOf>>[number];
type MyTaskRow = Awaited<ReturnType<typeof listTasksFor>>[number];

/** open and past due: overdue; open and due: due; done: done; open without a due time: open. */
export type DueState = 'overdue' | 'due' | 'open' | 'done';
export const dueStateOf = (t: { state: string; dueAt: Date | null }, now: Date): DueState =>
  t.state === 'done' ? 'done' : !t.dueAt ? 'open' : t.dueAt.getTime() <= now.getTime() ? 'overdue' : 'due';

/** A case's tasks for its page and its JSON: numbers of the tasks each waits for, and whether it can be completed now. */
export function presentTasks(rows: TaskRow[], now: Date) {
  const numberOf = new Map(rows.map((r) => [r.id, r.number]));
  const openIds = new Set(rows.filter((r) => r.state === 'open').map((r) => r.id));
  return rows.map((r) => ({
    id: r.id,
    number: r.number,
    title: r.title,
    state: r.state,
    assignee: r.assigneeId ? { id: r.assigneeId, name: r.assigneeName } : null,
    team: r.teamId ? { id: r.teamId, name: r.teamName } : null,
    dueAt: r.dueAt?.toISOString() ?? null,
    dueState: dueStateOf(r, now),
    dependsOn: r.dependsOn.map((id) => numberOf.get(id)!).sort((a, b) => a - b),
    waitingFor: r.dependsOn.filter((id) => openIds.has(id)).map((id) => numberOf.get(id)!),
    completedAt: r.completedAt?.toISOString() ?? null,
    completedBy: r.completedByName,
  }));
}

/** One person's tasks ("Meine Aufgaben", GET /api/v1/tasks). */
export function presentMyTask(r: MyTaskRow, now: Date) {
  return {
    id: r.id,
    number: r.number,
    title: r.title,
    state: r.state,
    conversation: { id: r.conversationId, caseNumber: r.caseNumber, status: r.conversationStatus },
    assignee: r.assigneeId ? { id: r.assigneeId, name: r.assigneeName } : null,
    team: r.teamId ? { id: r.teamId, name: r.teamName } : null,
    dueAt: r.dueAt?.toISOString() ?? null,
    dueState: dueStateOf(r, now),
    waitingForTasks: r.openDependencies,
    completedAt: r.completedAt?.toISOString() ?? null,
  };
}

/** The customer-facing progress of the case (no titles, people or due times), with its line in the reader's language. */
export function presentCaseProgress(status: ConversationStatus, rows: { state: 'open' | 'done' }[], t: Translate) {
  const progress = caseProgress(status, rows);
  const { key, vars } = caseProgressText(progress);
  return { ...progress, text: t(key, vars) };
}
