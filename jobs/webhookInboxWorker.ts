/** Processes process-webhook jobs: one stored webhook delivery each; failures are retried with backoff. */
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { processWebhookInbox, type InboxDeps } from '../server/domain/channels/whatsapp/processWebhookInbox';
import type { Logger } from '../server/logger';
import { JOBS } from './queues';

export function startWebhookInboxWorker(deps: InboxDeps, connection: Redis, prefix: string, logger: Logger): Worker {
  const worker = new Worker(JOBS['process-webhook'].queue, async (job: Job<{ inboxId: string }>) => {
    const result = await processWebhookInbox(deps, job.data.inboxId);
    logger.debug({ inboxId: job.data.inboxId, ...result }, 'webhook delivery processed');
    return result.outcome;
  }, { connection, prefix, concurrency: 4 });
  worker.on('failed', (job, err) => {
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) logger.error({ inboxId: job.data.inboxId, err: err.message }, 'webhook delivery failed for good; it stays in webhook_inbox');
    else logger.warn({ inboxId: job?.data.inboxId, err: err.message }, 'webhook delivery failed; retrying');
  });
  worker.on('error', (err) => logger.error({ err: err.message }, 'webhook worker error'));
  return worker;
}
