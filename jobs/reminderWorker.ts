/** Processes conversation-reminder jobs (delayed until the reminder time). A job that fires early is retried. */
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Db } from '../server/db/client';
import { fireReminder } from '../server/domain/conversations/fireReminder';
import type { Dispatcher } from '../server/domain/effects';
import { jobLogger, type Logger } from '../server/logger';
import { JOBS, parsePayload } from './definitions';

export function startReminderWorker(deps: { db: Db; dispatcher: Dispatcher }, connection: Redis, prefix: string, logger: Logger): Worker {
  const worker = new Worker(
    JOBS['conversation-reminder'].queue,
    async (job: Job) => {
      const { conversationId, remindAt } = parsePayload('conversation-reminder', job.data);
      const outcome = await fireReminder(deps, conversationId, remindAt);
      if (outcome === 'early') throw new Error('reminder fired before its time; retrying');
      return outcome;
    },
    { connection, prefix, concurrency: 4 },
  );
  worker.on('failed', (job, err) => {
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) jobLogger(logger, job).warn({ err: err.message }, 'reminder failed for good');
  });
  worker.on('error', (err) => logger.error({ err: err.message }, 'reminder worker error'));
  return worker;
}
