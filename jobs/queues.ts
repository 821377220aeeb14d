/** The queues behind the typed job table (jobs/definitions.ts): adding, bulk-adding and cancelling what commands ask for. */
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { JobRequest } from '../server/domain/effects';
import { JOBS, type JobName, type RetryPolicy } from './definitions';

/** Jobs per addBulk call. */
const BULK_CHUNK = 1000;

export type Queues = {
  enqueue(job: JobRequest): Promise<void>;
  /** Many jobs in few Redis round trips (the reconciler's owed jobs, a group's post-commit jobs); same options as enqueue. */
  enqueueBulk(jobs: JobRequest[]): Promise<void>;
  /** Removes the job with this request's job id if it still waits (a running or finished one is left alone). */
  cancel(job: JobRequest): Promise<void>;
  /**
   * (Re)creates the job scheduler that adds job `name` every `everyMs` (its key is the job's name, so calling it
   * again only updates it); workers call it on start and after every Redis reconnect (Redis may come back empty).
   */
  scheduleEvery(name: JobName, everyMs: number, data?: Record<string, unknown>): Promise<void>;
  queue(name: string): Queue;
  close(): Promise<void>;
};

/** retryOverrides lets tests shorten backoff without changing the policy's shape. */
export function createQueues(connection: Redis, prefix: string, retryOverrides: Partial<Record<JobName, RetryPolicy>> = {}): Queues {
  const queues = new Map<string, Queue>();
  const queue = (name: string) => {
    let q = queues.get(name);
    if (!q) {
      q = new Queue(name, { connection, prefix });
      // The shared connection's errors (Redis away) are logged once by its owner (server/services.ts);
      // without a listener BullMQ would print each of them to the console on every queue.
      q.on('error', () => undefined);
      queues.set(name, q);
    }
    return q;
  };
  const optionsOf = (job: JobRequest): JobsOptions => {
    const retry = retryPolicyFor(job.name, retryOverrides);
    const runAt = runAtOf(job);
    const coalesce = rowOf(job).coalesce?.(job.data);
    return {
      // One job per reply (per reminder time): adding it again while it waits is a no-op.
      jobId: jobIdOf(job),
      delay: runAt === undefined ? undefined : Math.max(0, Date.parse(runAt) - Date.now()),
      attempts: retry.attempts,
      backoff: { type: 'exponential', delay: retry.backoffMs },
      removeOnComplete: true,
      removeOnFail: 1000,
      ...(coalesce === undefined ? {} : { deduplication: { id: coalesce, keepLastIfActive: true } }),
    };
  };
  return {
    queue,
    async scheduleEvery(name, everyMs, data = {}) {
      const { queue: queueName, retry } = JOBS[name];
      await queue(queueName).upsertJobScheduler(
        name,
        { every: everyMs },
        { name, data, opts: { attempts: retry.attempts, removeOnComplete: true, removeOnFail: 100 } },
      );
    },
    async enqueue(job) {
      await queue(JOBS[job.name].queue).add(job.name, job.data, optionsOf(job));
    },
    async enqueueBulk(jobs) {
      // One addBulk (a single Redis round trip) per queue and chunk instead of one add per job.
      const byQueue = new Map<string, JobRequest[]>();
      for (const job of jobs) {
        const name = JOBS[job.name].queue;
        const list = byQueue.get(name);
        if (list) list.push(job);
        else byQueue.set(name, [job]);
      }
      for (const [name, list] of byQueue) {
        for (let i = 0; i < list.length; i += BULK_CHUNK) {
          await queue(name).addBulk(list.slice(i, i + BULK_CHUNK).map((job) => ({ name: job.name, data: job.data, opts: optionsOf(job) })));
        }
      }
    },
    async cancel(job) {
      await queue(JOBS[job.name].queue).remove(jobIdOf(job));
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}

/** A command's job with its row of the table (TypeScript cannot follow the name to the row inside a union). */
type Row = {
  jobId: (data: JobRequest['data']) => string;
  runAt?: (data: JobRequest['data']) => string;
  coalesce?: (data: JobRequest['data']) => string;
};
const rowOf = (job: JobRequest) => JOBS[job.name] as unknown as Row;

/** The job id that makes adding the same job twice a no-op (and lets a command cancel it). */
const jobIdOf = (job: JobRequest): string => rowOf(job).jobId(job.data);
const runAtOf = (job: JobRequest): string | undefined => rowOf(job).runAt?.(job.data);

export function retryPolicyFor(name: JobName, overrides: Partial<Record<JobName, RetryPolicy>> = {}): RetryPolicy {
  return overrides[name] ?? JOBS[name].retry;
}
