/** A channel row → what the channels page shows: one plain status and the health facts. */
import type { PollErrorKind } from '../db/schema';

export type ChannelStatus = 'paused' | 'credentials_refused' | 'rate_limited' | 'failing' | 'pending' | 'ok';

type HealthRow = {
  paused: boolean;
  lastSuccessAt: Date | null;
  lastErrorAt: Date | null;
  lastErrorKind: PollErrorKind | null;
  lastError: string | null;
  nextPollAt: Date | null;
  consecutiveFailures: number;
  itemsFetched: string | number;
  rateLimitRemaining: number | null;
  rateLimitResetAt: Date | null;
  pollIntervalSeconds: number;
};

export type ChannelHealthView = {
  status: ChannelStatus;
  lastSuccessAt: Date | null;
  itemsFetched: number;
  lastError: string | null;
  lastErrorAt: Date | null;
  /** No poll before this time (rate-limit reset or backoff), if it is still ahead. */
  waitingUntil: Date | null;
  rateLimitRemaining: number | null;
  rateLimitResetAt: Date | null;
  consecutiveFailures: number;
  pollIntervalSeconds: number;
};

export function channelHealthView(row: HealthRow, now = new Date()): ChannelHealthView {
  const failingNow = row.lastErrorAt !== null && (row.lastSuccessAt === null || row.lastErrorAt >= row.lastSuccessAt);
  const waitingUntil = row.nextPollAt && row.nextPollAt > now ? row.nextPollAt : null;
  let status: ChannelStatus;
  if (row.paused) status = 'paused';
  else if (failingNow && row.lastErrorKind === 'auth') status = 'credentials_refused';
  else if (failingNow && row.lastErrorKind === 'rate_limited' && waitingUntil) status = 'rate_limited';
  else if (failingNow && row.lastErrorKind !== 'rate_limited') status = 'failing';
  else if (!row.lastSuccessAt) status = 'pending';
  else status = 'ok';
  return {
    status,
    lastSuccessAt: row.lastSuccessAt,
    itemsFetched: Number(row.itemsFetched),
    lastError: row.lastError,
    lastErrorAt: row.lastErrorAt,
    waitingUntil,
    rateLimitRemaining: row.rateLimitRemaining,
    rateLimitResetAt: row.rateLimitResetAt,
    consecutiveFailures: row.consecutiveFailures,
    pollIntervalSeconds: row.pollIntervalSeconds,
  };
}
