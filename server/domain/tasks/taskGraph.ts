/**
 * The dependencies of a case's tasks ("after task 2"): a task cannot be completed while a task it depends on is
 * open, and cannot be reopened while a task that depends on it is done. Dependencies stay inside one
 * conversation and never form a cycle. Pure: the commands load the tasks and ask.
 */
import type { TaskState } from '../../db/schema';

export type TaskNode = { id: string; number: number; state: TaskState; dependsOn: readonly string[] };

export type DependencyProblem = { kind: 'unknown'; ref: string | number } | { kind: 'self' } | { kind: 'cycle'; through: number[] };

/** The task a reference names: its id, or its number in the conversation. */
export function findTaskRef(tasks: readonly TaskNode[], ref: string | number): TaskNode | undefined {
  return tasks.find((t) => (typeof ref === 'number' ? t.number === ref : t.id === ref));
}

/**
 * What is wrong with letting `taskId` depend on `refs` (ids or numbers), given the case's tasks (with or without
 * `taskId` among them); null when nothing is. A cycle is reported with the task numbers along it.
 */
export function dependencyProblem(tasks: readonly TaskNode[], taskId: string, refs: readonly (string | number)[]): DependencyProblem | null {
  const targets: TaskNode[] = [];
  for (const ref of refs) {
    const target = findTaskRef(tasks, ref);
    if (!target) return { kind: 'unknown', ref };
    if (target.id === taskId) return { kind: 'self' };
    targets.push(target);
  }
  const byId = new Map(tasks.map((t) => [t.id, t]));
  for (const target of targets) {
    const path = pathTo(byId, target.id, taskId, new Set());
    if (path) return { kind: 'cycle', through: path.map((id) => byId.get(id)?.number ?? 0) };
  }
  return null;
}

/** A chain of dependencies from `from` to `to` (both included), or null: depth-first, each task visited once. */
function pathTo(byId: ReadonlyMap<string, TaskNode>, from: string, to: string, seen: Set<string>): string[] | null {
  if (from === to) return [from];
  if (seen.has(from)) return null;
  seen.add(from);
  for (const next of byId.get(from)?.dependsOn ?? []) {
    const rest = pathTo(byId, next, to, seen);
    if (rest) return [from, ...rest];
  }
  return null;
}

/** The open tasks `task` waits for (it can be completed when there are none). */
export function blockingTasks(tasks: readonly TaskNode[], task: TaskNode): TaskNode[] {
  return tasks.filter((t) => task.dependsOn.includes(t.id) && t.state === 'open');
}

/** The done tasks that depend on `task` (it can be reopened when there are none). */
export function doneDependents(tasks: readonly TaskNode[], task: TaskNode): TaskNode[] {
  return tasks.filter((t) => t.dependsOn.includes(task.id) && t.state === 'done');
}
