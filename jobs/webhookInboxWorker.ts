/**
 * Processes the webhooks queue: drain-webhooks jobs (the deliveries of one accept group, and fresh ones behind
 * them, in one drain) and process-webhook jobs (one delivery that failed in a drain, retried alone); a failing
 * job is retried with backoff.
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { drainWebhookInbox, processWebhookInbox, type InboxDeps } from '../server/domain/channels/webhooks/webhookInbox';
import { jobLogger, type Logger } from '../server/logger';
import { JOBS, parsePayload } from './definitions';

export function startWebhookInboxWorker(deps: InboxDeps, connection: Redis, prefix: string, logger: Logger): Worker {
  const worker = new Worker(
    JOBS['process-webhook'].queue,
    async (job: Job) => {
      const log = jobLogger(logger, job);
      if (job.name === 'drain-webhooks') {
        const { inboxIds } = parsePayload('drain-webhooks', job.data);
        const outcomes = await drainWebhookInbox({ ...deps, logger: log }, inboxIds);
        const processed = outcomes.filter((o) => o.outcome === 'processed');
        log.debug({ deliveries: processed.length, ingested: processed.reduce((n, o) => n + o.ingested, 0) }, 'webhook deliveries drained');
        return processed.length;
      }
      const { inboxId } = parsePayload('process-webhook', job.data);
      const result = await processWebhookInbox({ ...deps, logger: log }, inboxId);
      log.debug({ inboxId, ...result }, 'webhook delivery processed');
      return result.outcome;
    },
    { connection, prefix, concurrency: 4 },
  );
  worker.on('failed', (job, err) => {
    const data = job?.data as { inboxId?: unknown; inboxIds?: unknown } | undefined;
    const what = { inboxId: data?.inboxId, inboxIds: data?.inboxIds };
    const log = job ? jobLogger(logger, job) : logger;
    if (err instanceof UnrecoverableError || (job && job.attemptsMade >= (job.opts.attempts ?? 1)))
      log.error({ ...what, err: err.message }, 'webhook delivery failed for good; it stays in webhook_inbox');
    else log.warn({ ...what, err: err.message }, 'webhook delivery failed; retrying');
  });
  worker.on('error', (err) => logger.error({ err: err.message }, 'webhook worker error'));
  return worker;
}
