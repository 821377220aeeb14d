/** Processes deliver-reply jobs: one attempt per run, retries with backoff, a reply answered 429 waits until the time the receiver named. */
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { RateLimited } from '../connectors/types';
import { abandonDelivery, deliverReply, type DeliveryDeps } from '../server/domain/replies/deliverReply';
import { jobLogger, type Logger } from '../server/logger';
import { JOBS, parsePayload } from './definitions';

/**
 * lockMs: how long a running job stays claimed by a worker that stopped answering; after that (and a
 * stalled check at the same interval) another worker takes it over: on the API channel it sends again with
 * the same Idempotency-Key, on the other channels the reply becomes "uncertain" for an agent to check
 * (domain/replies/deliverReply.ts). A job that stalls more than once is failed by BullMQ without running it.
 */
export function startOutboundWorker(deps: DeliveryDeps, connection: Redis, prefix: string, logger: Logger, opts: { lockMs?: number } = {}): Worker {
  const worker: Worker = new Worker(
    JOBS['deliver-reply'].queue,
    async (job: Job, token?: string) => {
      const { messageId } = parsePayload('deliver-reply', job.data);
      const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const { outcome, error } = await deliverReply(deps, messageId, finalAttempt);
      if (outcome === 'failed') jobLogger(logger, job).warn({ messageId, reason: error?.message }, 'reply delivery failed for good');
      if (outcome === 'uncertain') jobLogger(logger, job).warn({ messageId }, 'reply sending was interrupted; it may have been sent, an agent decides');
      if (outcome !== 'retry' || !error) return outcome;
      if (error instanceof RateLimited) {
        // The reply itself waits until the receiver's time, for certain: BullMQ's rate limit alone holds only this
        // worker's next fetch (no `limiter` is set), and a fetch already under way could take it back at once.
        await job.moveToDelayed(Date.now() + Math.max(1_000, error.retryAt.getTime() - Date.now()), token);
        throw new DelayedError();
      }
      throw error;
    },
    { connection, prefix, concurrency: 8, ...(opts.lockMs ? { lockDuration: opts.lockMs, stalledInterval: opts.lockMs } : {}) },
  );
  worker.on('error', (err) => logger.error({ err: err.message }, 'outbound worker error'));
  // BullMQ gave up on the job without an attempt that recorded an outcome (workers died while sending it,
  // again and again; or the outcome could not be recorded on the last attempt): the message would stay
  // "sending" for ever, so it ends visibly, with the reason (abandonDelivery leaves an ended reply alone).
  worker.on('failed', (job, err) => {
    if (!job) return;
    const stalled = err instanceof UnrecoverableError;
    if (!stalled && job.attemptsMade < (job.opts.attempts ?? 1)) return;
    const log = jobLogger(logger, job);
    const payload = JOBS['deliver-reply'].payload.safeParse(job.data);
    if (!payload.success) return void log.error({ err: err.message }, 'dropped a deliver-reply job with an invalid payload');
    const { messageId } = payload.data;
    const reason = stalled
      ? `Delivery stopped: the worker sending it stopped ${job.stalledCounter ?? 'several'} times (${err.message}); the receiver may have got it (Idempotency-Key ${messageId})`
      : `Delivery stopped after its last attempt: ${err.message}`;
    abandonDelivery(deps, messageId, reason)
      .then((changed) => {
        if (changed) log.warn({ messageId, reason }, 'reply delivery ended without a recorded outcome');
      })
      .catch((e: Error) => log.error({ messageId, err: e.message }, 'could not record the abandoned delivery'));
  });
  return worker;
}
