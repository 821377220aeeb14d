/**
 * Ends website chats whose visitor has gone quiet (domain/webchat/inactivity.ts) and deletes invitations older
 * than a day (domain/webchat/invitations.ts pruneInvitations): a job scheduler every minute.
 * A sweep that finds nothing changes nothing, and a repeated one ends nothing twice, so Redis coming back empty
 * only needs the schedule re-created (on worker start and every reconnect).
 */
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Db } from '../server/db/client';
import type { Dispatcher } from '../server/domain/effects';
import { endInactiveChats } from '../server/domain/webchat/inactivity';
import { pruneInvitations } from '../server/domain/webchat/invitations';
import { jobLogger, type Logger } from '../server/logger';
import { JOBS, parsePayload } from './definitions';
import type { Queues } from './queues';

const SWEEP = JOBS['chat-inactivity'];
export const CHAT_INACTIVITY_EVERY_MS = 60_000;

export async function scheduleChatInactivity(queues: Queues, everyMs = CHAT_INACTIVITY_EVERY_MS): Promise<void> {
  await queues.scheduleEvery('chat-inactivity', everyMs);
}

export function startChatInactivityWorker(deps: { db: Db; dispatcher: Dispatcher }, connection: Redis, prefix: string, logger: Logger): Worker {
  const worker = new Worker(
    SWEEP.queue,
    async (job: Job) => {
      parsePayload('chat-inactivity', job.data);
      const ended = await endInactiveChats(deps.db, deps.dispatcher);
      const pruned = await pruneInvitations(deps.db, new Date());
      if (ended || pruned) jobLogger(logger, job).info({ ended, pruned }, 'inactive chats ended, old invitations deleted');
      return ended;
    },
    { connection, prefix, concurrency: 1 },
  );
  worker.on('failed', (job, err) =>
    (job ? jobLogger(logger, job) : logger).warn({ err: err.message }, 'chat inactivity sweep failed; the next run tries again'),
  );
  worker.on('error', (err) => logger.error({ err: err.message }, 'chat inactivity worker error'));
  return worker;
}
