/**
 * Overdue timers of tasks: one BullMQ delayed job per open task with a due time (job id `task-overdue-<taskId>`);
 * tasks are few, so unlike the SLA timers (a sweep over the posts) a job each is cheap. Completing the task removes it; the processor is idempotent anyway (the task's row decides,
 * under a row lock), and the reconciler re-adds the timers of tasks still owed a notice when a worker starts or
 * Redis comes back.
 */
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Db } from '../server/db/client';
import { listOwedOverdueTimers } from '../server/db/repositories/tasks.repo';
import { inTransaction, type Dispatcher, type JobRequest } from '../server/domain/effects';
import { fireTaskOverdue, overdueTimer } from '../server/domain/tasks/overdueTask';
import { jobLogger, type Logger } from '../server/logger';
import { JOBS, parsePayload } from './definitions';

export type TaskTimerDeps = { db: Db; dispatcher: Dispatcher; now?: () => Date };

export async function processTaskOverdue(deps: TaskTimerDeps, taskId: string) {
  const now = deps.now?.() ?? new Date();
  return inTransaction(deps.db, deps.dispatcher, (tx, effects) => fireTaskOverdue(tx, effects, taskId, now));
}

export function startTaskTimerWorker(deps: TaskTimerDeps, connection: Redis, prefix: string, logger: Logger): Worker {
  const worker = new Worker(
    JOBS['task-overdue'].queue,
    async (job: Job) => {
      const { taskId } = parsePayload('task-overdue', job.data);
      const outcome = await processTaskOverdue(deps, taskId);
      if (outcome === 'told') jobLogger(logger, job).debug({ taskId }, 'overdue task told');
      return outcome;
    },
    { connection, prefix, concurrency: 2 },
  );
  worker.on('failed', (job, err) => {
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) jobLogger(logger, job).error({ err: err.message }, 'task timer failed for good');
  });
  worker.on('error', (err) => logger.error({ err: err.message }, 'task timer worker error'));
  return worker;
}

/** The overdue notices the database says are still owed (open tasks of open cases, due, nobody told yet). */
export async function taskTimersOwed(db: Db): Promise<JobRequest[]> {
  return (await listOwedOverdueTimers(db)).map((t) => overdueTimer(t.id, t.dueAt!));
}
