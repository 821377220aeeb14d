/** The alerts queue: volume-spike checks after posts matched a listening query, and an alert's e-mails and Web Push messages. */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { checkVolumeSpikes } from '../server/domain/alerts/checkVolumeSpikes';
import { deliverAlert, type AlertDeliveryDeps } from '../server/domain/alerts/deliverAlert';
import { inTransaction, type Dispatcher } from '../server/domain/effects';
import { jobLogger, type Logger } from '../server/logger';
import { JOBS, parsePayload } from './definitions';

export function startAlertWorker(deps: AlertDeliveryDeps & { dispatcher: Dispatcher }, connection: Redis, prefix: string, logger: Logger): Worker {
  const worker = new Worker(
    JOBS['deliver-alert'].queue,
    async (job: Job) => {
      if (job.name === 'check-spikes') {
        const { queryId } = parsePayload('check-spikes', job.data);
        return inTransaction(deps.db, deps.dispatcher, (tx, effects) => checkVolumeSpikes(tx, effects, { queryId }, new Date()));
      }
      if (job.name === 'deliver-alert') return deliverAlert(deps, parsePayload('deliver-alert', job.data).alertId);
      throw new UnrecoverableError(`${job.name}: not a job of the alerts queue`);
    },
    { connection, prefix, concurrency: 1 },
  );
  worker.on('failed', (job, err) => {
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) jobLogger(logger, job).error({ err: err.message }, 'alert job failed for good');
  });
  worker.on('error', (err) => logger.error({ err: err.message }, 'alert worker error'));
  return worker;
}
