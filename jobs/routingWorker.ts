/**
 * The router's queue: routing passes (after arrivals in automatic queues, freed slots, presence changes) and the
 * regular sweep (absences, quiet consoles, unopened offers, then a pass). One at a time: passes take the router
 * lock anyway, and a repeated pass changes nothing.
 */
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Db } from '../server/db/client';
import { inTransaction, type Dispatcher } from '../server/domain/effects';
import { routeWaiting } from '../server/domain/routing/routeWaiting';
import { sweepRouting, type SweepSettings } from '../server/domain/routing/sweepRouting';
import { jobLogger, type Logger } from '../server/logger';
import { JOBS, parsePayload } from './definitions';
import type { Queues } from './queues';

const QUEUE = JOBS['route-conversations'].queue;
export const ROUTING_SWEEP_EVERY_MS = 30_000;

/** (Re)creates the sweep's schedule; called on worker start and after every Redis reconnect. */
export async function scheduleRoutingSweep(queues: Queues, everyMs = ROUTING_SWEEP_EVERY_MS): Promise<void> {
  await queues.scheduleEvery('routing-sweep', everyMs, { trigger: 'schedule' });
}

export function startRoutingWorker(
  deps: { db: Db; dispatcher: Dispatcher; settings: SweepSettings },
  connection: Redis,
  prefix: string,
  logger: Logger,
): Worker {
  const worker = new Worker(
    QUEUE,
    async (job: Job) => {
      if (job.name === 'routing-sweep') {
        parsePayload('routing-sweep', job.data);
        return sweepRouting(deps.db, deps.dispatcher, deps.settings);
      }
      const { channelIds, reopenedIds } = parsePayload('route-conversations', job.data);
      return inTransaction(deps.db, deps.dispatcher, (tx, effects) => routeWaiting(tx, effects, { channelIds, reopenedIds }));
    },
    { connection, prefix, concurrency: 1 },
  );
  worker.on('failed', (job, err) => {
    if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) jobLogger(logger, job).warn({ err: err.message }, 'routing failed; the next sweep routes again');
  });
  worker.on('error', (err) => logger.error({ err: err.message }, 'routing worker error'));
  return worker;
}
