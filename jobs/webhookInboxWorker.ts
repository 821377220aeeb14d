/** Processes process-webhook jobs: one stored webhook delivery each; failures are retried with backoff. */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { processWebhookInbox, type InboxDeps } from '../server/domain/channels/whatsapp/processWebhookInbox';
import { jobLogger, type Logger } from '../server/logger';
import { JOBS, parsePayload } from './definitions';

export function startWebhookInboxWorker(deps: InboxDeps, connection: Redis, prefix: string, logger: Logger): Worker {
  const worker = new Worker(
    JOBS['process-webhook'].queue,
    async (job: Job) => {
      const { inboxId } = parsePayload('process-webhook', job.data);
      const log = jobLogger(logger, job);
      const result = await processWebhookInbox({ ...deps, logger: log }, inboxId);
      log.debug({ inboxId, ...result }, 'webhook delivery processed');
      return result.outcome;
    },
    { connection, prefix, concurrency: 4 },
  );
  worker.on('failed', (job, err) => {
    const inboxId = (job?.data as { inboxId?: unknown } | undefined)?.inboxId;
    const log = job ? jobLogger(logger, job) : logger;
    if (err instanceof UnrecoverableError || (job && job.attemptsMade >= (job.opts.attempts ?? 1)))
      log.error({ inboxId, err: err.message }, 'webhook delivery failed for good; it stays in webhook_inbox');
    else log.warn({ inboxId, err: err.message }, 'webhook delivery failed; retrying');
  });
  worker.on('error', (err) => logger.error({ err: err.message }, 'webhook worker error'));
  return worker;
}
