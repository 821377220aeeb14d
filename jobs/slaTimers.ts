/**
 * SLA warn/breach timers: BullMQ delayed jobs, one of each per timed inbound post (job ids
 * `sla-warning-<messageId>` / `sla-breach-<messageId>`). A reply removes them; the processors are
 * idempotent anyway (the post's row decides, under a row lock), and the reconciler re-adds the
 * timers of every post still awaiting an answer when a worker starts or Redis comes back.
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Db } from '../server/db/client';
import { listPendingTimers } from '../server/db/repositories/sla.repo';
import { inTransaction, type Dispatcher, type JobRequest } from '../server/domain/effects';
import { fireSlaBreach, fireSlaWarning } from '../server/domain/sla/timers';
import { jobLogger, type Logger } from '../server/logger';
import { JOBS, parsePayload } from './definitions';

export type SlaTimerDeps = { db: Db; dispatcher: Dispatcher; now?: () => Date };

export type SlaJobName = 'sla-warning' | 'sla-breach';
const isSlaJob = (name: string): name is SlaJobName => name === 'sla-warning' || name === 'sla-breach';

export async function processSlaTimer(deps: SlaTimerDeps, name: SlaJobName, messageId: string) {
  const now = deps.now?.() ?? new Date();
  const fire = name === 'sla-warning' ? fireSlaWarning : fireSlaBreach;
  return inTransaction(deps.db, deps.dispatcher, (tx, effects) => fire(tx, effects, messageId, now));
}

export function startSlaWorker(deps: SlaTimerDeps, connection: Redis, prefix: string, logger: Logger): Worker {
  const worker = new Worker(
    JOBS['sla-warning'].queue,
    async (job: Job) => {
      if (!isSlaJob(job.name)) throw new UnrecoverableError(`${job.name}: not a job of the sla queue`);
      const { messageId } = parsePayload(job.name, job.data);
      const outcome = await processSlaTimer(deps, job.name, messageId);
      if (outcome === 'fired') jobLogger(logger, job).debug({ messageId }, 'sla timer fired');
      return outcome;
    },
    { connection, prefix, concurrency: 4 },
  );
  worker.on('failed', (job, err) => {
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) jobLogger(logger, job).error({ err: err.message }, 'sla timer failed for good');
  });
  worker.on('error', (err) => logger.error({ err: err.message }, 'sla worker error'));
  return worker;
}

/** The timers the database says are still owed: warning (if not yet fired) and breach per awaiting, unpaused post. */
export async function slaTimersOwed(db: Db): Promise<JobRequest[]> {
  const posts = await listPendingTimers(db);
  const jobs: JobRequest[] = [];
  for (const p of posts) {
    if (p.slaState === 'ok' && p.slaWarnAt) jobs.push({ name: 'sla-warning', data: { messageId: p.id, runAt: p.slaWarnAt.toISOString() } });
    jobs.push({ name: 'sla-breach', data: { messageId: p.id, runAt: p.slaDueAt!.toISOString() } });
  }
  return jobs;
}
