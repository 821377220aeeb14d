/**
 * Polling in BullMQ: one job scheduler per channel at the interval the manager set (the PollScheduler
 * the domain asks for), and the processor that parses a poll-channel job and runs one poll of the
 * channel (server/domain/channels/polling/pollChannel.ts), plus a sweep that gives channels created
 * elsewhere (the CLI) or lost with Redis their schedule back.
 */
import { Worker, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Connectors } from '../connectors/types';
import { pollChannelOnce, type PollDeps, type PollOutcome } from '../server/domain/channels/polling/pollChannel';
import { reconcilePollSchedules, type PollScheduler } from '../server/domain/channels/polling/pollSchedules';
import { jobLogger } from '../server/logger';
import { JOBS } from './definitions';
import type { Queues } from './queues';

const POLL = JOBS['poll-channel'];
const JOB_OPTIONS = { attempts: POLL.retry.attempts, removeOnComplete: true, removeOnFail: 100 };

export const schedulerId = (channelId: string) => `poll-${channelId}`;

export function createPollScheduler(queues: Queues, connectors: Connectors): PollScheduler {
  const queue = (): Queue => queues.queue(POLL.queue);
  return {
    async sync(channel) {
      if (channel.paused || !connectors.of(channel.kind)?.fetchSince) {
        await queue().removeJobScheduler(schedulerId(channel.id));
        return;
      }
      // An unchanged schedule is left alone: upserting would fire an extra immediate poll.
      const existing = await queue().getJobScheduler(schedulerId(channel.id));
      if (existing && Number(existing.every) === channel.pollIntervalSeconds * 1000) return;
      await queue().upsertJobScheduler(
        schedulerId(channel.id),
        { every: channel.pollIntervalSeconds * 1000 },
        {
          name: 'poll-channel',
          data: { channelId: channel.id },
          opts: JOB_OPTIONS,
        },
      );
    },
    async pollNow(channelId) {
      await queue().add('poll-channel', { channelId }, { ...JOB_OPTIONS, deduplication: { id: `poll-now-${channelId}` } });
    },
  };
}

/** How often a worker looks for channels without a schedule (created by the CLI, or lost with Redis). */
const SWEEP_MS = 60_000;

export function startPollWorker(deps: PollDeps, connection: Redis, prefix: string, scheduler?: PollScheduler): { worker: Worker; close(): Promise<void> } {
  const worker = new Worker(
    POLL.queue,
    async (job: Job): Promise<PollOutcome> => {
      const logger = jobLogger(deps.logger, job);
      // A poll job without a valid channel id is dropped quietly: the schedules carry only valid ones.
      const parsed = POLL.payload.safeParse(job.data);
      if (!parsed.success) {
        logger.warn('dropped a poll job without a valid channel id');
        return { outcome: 'skipped', reason: 'missing' };
      }
      const { channelId } = parsed.data;
      try {
        return await pollChannelOnce({ ...deps, logger }, channelId);
      } catch (err) {
        // Only our own database can fail here; the next scheduled run tries again.
        logger.error({ channelId, err: (err as Error).message }, 'poll crashed');
        return { outcome: 'skipped', reason: 'busy' };
      }
    },
    { connection, prefix, concurrency: 4 },
  );
  worker.on('error', (err) => deps.logger.error({ err: err.message }, 'poll worker error'));
  const sweep = scheduler
    ? setInterval(() => {
        reconcilePollSchedules(deps.db, scheduler, deps.connectors).catch((err: Error) => deps.logger.warn({ err: err.message }, 'poll schedule sweep failed'));
      }, SWEEP_MS)
    : null;
  sweep?.unref();
  return {
    worker,
    async close() {
      if (sweep) clearInterval(sweep);
      await worker.close();
    },
  };
}
