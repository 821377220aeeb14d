/** The typed job table: each job name, its payload, its queue and its retry policy in one place. */
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { JobRequest } from '../server/domain/effects';

export type JobName = JobRequest['name'];

export type RetryPolicy = { attempts: number; backoffMs: number };

export const JOBS: Record<JobName, { queue: string; retry: RetryPolicy }> = {
  'deliver-reply': { queue: 'outbound', retry: { attempts: 6, backoffMs: 2_000 } },
};

export type Queues = {
  enqueue(job: JobRequest): Promise<void>;
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
      queues.set(name, q);
    }
    return q;
  };
  return {
    queue,
    async enqueue(job) {
      const def = JOBS[job.name];
      const retry = retryOverrides[job.name] ?? def.retry;
      const opts: JobsOptions = {
        // One job per reply: adding it again while it waits is a no-op.
        jobId: `${job.name}-${job.data.messageId}`,
        attempts: retry.attempts,
        backoff: { type: 'exponential', delay: retry.backoffMs },
        removeOnComplete: true,
        removeOnFail: 1000,
      };
      await queue(def.queue).add(job.name, job.data, opts);
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.close()));
    },
  };
}

export function retryPolicyFor(name: JobName, overrides: Partial<Record<JobName, RetryPolicy>> = {}): RetryPolicy {
  return overrides[name] ?? JOBS[name].retry;
}
