/**
 * The nightly retention run (server/domain/privacy/retention.ts). Each batch commits with its audit event, so a
 * run cut short leaves finished batches done and the next run continues; running twice changes nothing more.
 * Then the console sessions that have ended are deleted (the web processes keep no prune timer of their own).
 */
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Db } from '../server/db/client';
import { deleteExpiredSessions } from '../server/db/repositories/sessions.repo';
import { applyRetention } from '../server/domain/privacy/retention';
import { jobLogger, type Logger } from '../server/logger';
import { JOBS, parsePayload } from './definitions';
import type { Queues } from './queues';

const RETENTION = JOBS.retention;
/** 02:30 in Berlin: after the day's work, before the morning shift. */
const NIGHTLY = { pattern: '30 2 * * *', tz: 'Europe/Berlin' };

/** (Re)creates the schedule; called on worker start and after every Redis reconnect. */
export async function scheduleRetention(queues: Queues): Promise<void> {
  await queues.queue(RETENTION.queue).upsertJobScheduler('retention', NIGHTLY, {
    name: 'retention',
    data: {},
    opts: { attempts: RETENTION.retry.attempts, removeOnComplete: 30, removeOnFail: 30 },
  });
}

export function startRetentionWorker(db: Db, connection: Redis, prefix: string, logger: Logger): Worker {
  const worker = new Worker(
    RETENTION.queue,
    async (job: Job) => {
      parsePayload('retention', job.data);
      const log = jobLogger(logger, job);
      const run = await applyRetention(db);
      log.info(run, 'retention applied');
      // Housekeeping beside it, on its own: ended console sessions (no session read returns them). A failure
      // here leaves them for the next night and does not fail the run, whose batches are committed.
      await deleteExpiredSessions(db).then(
        (sessions) => log.info({ sessions }, 'ended console sessions deleted'),
        (err: unknown) => log.warn({ err: (err as Error).message }, 'ended console sessions not deleted; the next night tries again'),
      );
      return run;
    },
    { connection, prefix, concurrency: 1 },
  );
  worker.on('failed', (job, err) => (job ? jobLogger(logger, job) : logger).error({ err: err.message }, 'retention run failed; the next night continues'));
  worker.on('error', (err) => logger.error({ err: err.message }, 'retention worker error'));
  return worker;
}
