/**
 * Folds the report deltas into the rollups every minute (009_report_rollup.sql). Reports read unfolded
 * deltas too, so folding only keeps them few; the fold is single-flight in SQL and a run that finds
 * nothing changes nothing, so a repeated or overlapping job is harmless.
 */
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Db } from '../server/db/client';
import { foldReportDeltas } from '../server/db/repositories/reportRollup.repo';
import { jobLogger, type Logger } from '../server/logger';
import { JOBS, parsePayload } from './definitions';
import type { Queues } from './queues';

const FOLD = JOBS['report-fold'];
export const REPORT_FOLD_EVERY_MS = 60_000;

/** (Re)creates the schedule; called on worker start and after every Redis reconnect (Redis may come back empty). */
export async function scheduleReportFold(queues: Queues, everyMs = REPORT_FOLD_EVERY_MS): Promise<void> {
  await queues.scheduleEvery('report-fold', everyMs);
}

export function startReportFoldWorker(db: Db, connection: Redis, prefix: string, logger: Logger): Worker {
  const worker = new Worker(
    FOLD.queue,
    async (job: Job) => {
      parsePayload('report-fold', job.data);
      return foldReportDeltas(db);
    },
    { connection, prefix, concurrency: 1 },
  );
  worker.on('failed', (job, err) => (job ? jobLogger(logger, job) : logger).warn({ err: err.message }, 'report fold failed; the next run folds the rest'));
  worker.on('error', (err) => logger.error({ err: err.message }, 'report fold worker error'));
  return worker;
}
