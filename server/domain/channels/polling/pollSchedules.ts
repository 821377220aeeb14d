/**
 * The poll schedules the domain asks for: every active channel whose connector polls has one at its
 * interval, a paused channel none. The job layer (jobs/pollChannel.ts) keeps them in BullMQ.
 */
import type { Connectors } from '../../../../connectors/types';
import type { Db } from '../../../db/client';
import { listPollingChannels } from '../../../db/repositories/channelHealth.repo';
import type { PollSchedule } from '../channelPolling';

export type PollScheduler = {
  /** Active channels poll every interval (the first run right away); paused ones and channels that do not poll not at all. */
  sync(channel: PollSchedule): Promise<void>;
  /** One extra poll now (deduplicated while one waits). */
  pollNow(channelId: string): Promise<void>;
};

/** The reconciler's part: every channel whose connector polls gets its schedule back (Redis may have restarted empty). */
export async function reconcilePollSchedules(db: Db, scheduler: PollScheduler, connectors: Connectors): Promise<number> {
  const kinds = connectors.all.filter((c) => c.fetchSince).map((c) => c.kind);
  const channels = await listPollingChannels(db, kinds);
  for (const c of channels) await scheduler.sync(c);
  return channels.filter((c) => !c.paused).length;
}
