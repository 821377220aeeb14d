/** Processes deliver-reply jobs: one attempt per run, retries with backoff, pauses the queue on a 429. */
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { RateLimited } from '../connectors/types';
import { deliverReply, type DeliveryDeps } from '../server/domain/conversations/deliverReply';
import type { Logger } from '../server/logger';
import { JOBS } from './queues';

export function startOutboundWorker(deps: DeliveryDeps, connection: Redis, prefix: string, logger: Logger): Worker {
  const worker: Worker = new Worker(JOBS['deliver-reply'].queue, async (job: Job<{ messageId: string }>) => {
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const { outcome, error } = await deliverReply(deps, job.data.messageId, finalAttempt);
    if (outcome === 'failed') logger.warn({ messageId: job.data.messageId, reason: error?.message }, 'reply delivery failed for good');
    if (outcome !== 'retry' || !error) return outcome;
    if (error instanceof RateLimited) {
      await worker.rateLimit(Math.max(1_000, error.retryAt.getTime() - Date.now()));
      throw Worker.RateLimitError();
    }
    throw error;
  }, { connection, prefix, concurrency: 8 });
  worker.on('error', (err) => logger.error({ err: err.message }, 'outbound worker error'));
  return worker;
}
