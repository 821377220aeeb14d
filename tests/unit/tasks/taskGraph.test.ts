/** The dependencies of a case's tasks: no cycles ever, completion only in dependency order, reopening only from the end. */
import fc from 'fast-check';
import { blockingTasks, dependencyProblem, doneDependents, type TaskNode } from '../../../server/domain/tasks/taskGraph';

const node = (n: number, dependsOn: number[] = [], state: TaskNode['state'] = 'open'): TaskNode => ({
  id: `t${n}`,
  number: n,
  state,
  dependsOn: dependsOn.map((d) => `t${d}`),
});

/** True when the graph has a topological order (Kahn's algorithm). */
function acyclic(tasks: readonly TaskNode[]): boolean {
  const waiting = new Map(tasks.map((t) => [t.id, new Set(t.dependsOn)]));
  let progress = true;
  while (progress && waiting.size) {
    progress = false;
    for (const [id, deps] of waiting) {
      if ([...deps].every((d) => !waiting.has(d))) {
        waiting.delete(id);
        progress = true;
      }
    }
  }
  return waiting.size === 0;
}

describe('dependencyProblem', () => {
  it('when a task would wait for itself, an unknown task or one that (indirectly) waits for it, then it names the problem', () => {
    const tasks = [node(1), node(2, [1]), node(3, [2])];
    expect(dependencyProblem(tasks, 't1', [1])).toEqual({ kind: 'self' });
    expect(dependencyProblem(tasks, 't1', [9])).toEqual({ kind: 'unknown', ref: 9 });
    expect(dependencyProblem(tasks, 't1', ['t9'])).toEqual({ kind: 'unknown', ref: 't9' });
    expect(dependencyProblem(tasks, 't1', [3])).toEqual({ kind: 'cycle', through: [3, 2, 1] });
    expect(dependencyProblem(tasks, 't3', [1, 't2'])).toBeNull();
    expect(dependencyProblem(tasks, 'new', [1, 2, 3])).toBeNull();
  });

  it('when edges are proposed at random and only the accepted ones are added, then the graph never has a cycle, and every refused cycle would have made one', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.tuple(fc.nat(7), fc.nat(7)), { maxLength: 40 }), (n, proposals) => {
        const tasks = Array.from({ length: n }, (_, i) => node(i + 1));
        for (const [a, b] of proposals) {
          const from = tasks[a % n]!;
          const to = (b % n) + 1;
          const problem = dependencyProblem(tasks, from.id, [to]);
          const withEdge = tasks.map((t) => (t === from ? { ...t, dependsOn: [...t.dependsOn, `t${to}`] } : t));
          if (problem === null) tasks.splice(tasks.indexOf(from), 1, withEdge.find((t) => t.id === from.id)!);
          else if (problem.kind === 'cycle' || problem.kind === 'self') expect(acyclic(withEdge)).toBe(false);
          expect(acyclic(tasks)).toBe(true);
        }
      }),
    );
  });
});

/** A random acyclic case: task i may only depend on tasks with smaller numbers. */
const acyclicCase = fc
  .integer({ min: 1, max: 8 })
  .chain((n) =>
    fc.tuple(...Array.from({ length: n }, (_, i) => fc.subarray(Array.from({ length: i }, (_, j) => j + 1)))).map((deps) => deps.map((d, i) => node(i + 1, d))),
  );

describe('completing and reopening', () => {
  it('when tasks are completed and reopened in any order, then a task is done only after its dependencies, and no done task waits for an open one', () => {
    fc.assert(
      fc.property(acyclicCase, fc.array(fc.nat(7), { maxLength: 60 }), (start, moves) => {
        const tasks = start.map((t) => ({ ...t }));
        const doneAt = new Map<string, number>();
        moves.forEach((m, step) => {
          const task = tasks[m % tasks.length]!;
          if (task.state === 'open' && blockingTasks(tasks, task).length === 0) {
            task.state = 'done';
            doneAt.set(task.id, step);
          } else if (task.state === 'done' && doneDependents(tasks, task).length === 0) {
            task.state = 'open';
            doneAt.delete(task.id);
          }
          for (const t of tasks.filter((x) => x.state === 'done'))
            for (const d of t.dependsOn) {
              expect(tasks.find((x) => x.id === d)!.state).toBe('done');
              expect(doneAt.get(d)!).toBeLessThan(doneAt.get(t.id)!);
            }
        });
      }),
    );
  });

  it('when some tasks are open in an acyclic case, then at least one of them can be completed now (the case can always be finished)', () => {
    fc.assert(
      fc.property(acyclicCase, fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }), (tasks, done) => {
        // mark done only what may be done: in number order, a task whose dependencies are done
        for (const t of tasks) if (done[t.number - 1] && blockingTasks(tasks, t).length === 0) t.state = 'done';
        const open = tasks.filter((t) => t.state === 'open');
        if (open.length) expect(open.some((t) => blockingTasks(tasks, t).length === 0)).toBe(true);
      }),
    );
  });
});
