/**
 * The alerts queue: volume-spike and negative-dip checks after posts matched a listening query, the sweep
 * every minute (channel-scoped rules, channel failures), and an alert's e-mails and Web Push messages.
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { checkPostWindows } from '../server/domain/alerts/checkPostWindows';
import { deliverAlert, type AlertDeliveryDeps } from '../server/domain/alerts/deliverAlert';
import { sweepAlerts } from '../server/domain/alerts/sweepAlerts';
import { inTransaction, type Dispatcher } from '../server/domain/effects';
import { jobLogger, type Logger } from '../server/logger';
import { JOBS, parsePayload } from './definitions';
import type { Queues } from './queues';

export const ALERT_SWEEP_EVERY_MS = 60_000;

/** (Re)creates the sweep's schedule; called on worker start and after every Redis reconnect (Redis may come back empty). */
export async function scheduleAlertSweep(queues: Queues, everyMs = ALERT_SWEEP_EVERY_MS): Promise<void> {
  await queues.scheduleEvery('alert-sweep', everyMs);
}

export function startAlertWorker(deps: AlertDeliveryDeps & { dispatcher: Dispatcher }, connection: Redis, prefix: string, logger: Logger): Worker {
  const worker = new Worker(
    JOBS['deliver-alert'].queue,
    async (job: Job) => {
      if (job.name === 'check-spikes') {
        const { queryId } = parsePayload('check-spikes', job.data);
        return inTransaction(deps.db, deps.dispatcher, (tx, effects) => checkPostWindows(tx, effects, { queryId }, new Date()));
      }
      if (job.name === 'alert-sweep') {
        parsePayload('alert-sweep', job.data);
        return inTransaction(deps.db, deps.dispatcher, (tx, effects) => sweepAlerts(tx, effects, new Date()));
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
