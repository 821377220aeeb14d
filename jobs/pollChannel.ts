/**
 * Polling for every connector that has a poll side (fetchSince): one BullMQ job scheduler per channel
 * at the interval the manager set, and the processor that fetches, ingests the page in set-based
 * batches (one transaction each), and only then advances the stored cursors. The remote side's
 * rate-limit state and our error backoff live in the channel row (next_poll_at), so a poll before that
 * time is skipped without calling out. The processor never throws: every outcome is recorded in the
 * channel's health.
 */
import { Worker, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { connectorFor as defaultConnectorFor } from '../connectors/registry';
import { AuthFailed, ConnectorError, Permanent, RateLimited, Transient, type Connector, type FetchResult, type PollCursor } from '../connectors/types';
import type { SecretBox } from '../server/crypto/secretBox';
import type { Db } from '../server/db/client';
import type { ChannelKind, PollErrorKind } from '../server/db/schema';
import {
  claimPollLease, findPollState, listPollingChannels, listTrackedSearches, recordPollFailure, recordPollSuccess, releasePollLease,
} from '../server/db/repositories/channelHealth.repo';
import { systemActor } from '../server/domain/audit/actor';
import { loadChannelForSend } from '../server/domain/channels/loadChannelForSend';
import { INGEST_BATCH_SIZE, ingestBatch } from '../server/domain/conversations/ingestBatch';
import { ingestInbound, type NormalizedInbound } from '../server/domain/conversations/ingestInbound';
import { inTransaction, type Dispatcher } from '../server/domain/effects';
import type { Logger } from '../server/logger';
import type { Queues } from './queues';

export const POLL_QUEUE = 'poll';
export const POLL_JOB = 'poll-channel';
const LEASE_MS = 5 * 60_000;
const MAX_BACKOFF_MS = 30 * 60_000;
/** Refused credentials rarely fix themselves: ask again at most every few minutes. */
const AUTH_RETRY_MS = 5 * 60_000;
const ALL_KINDS: ChannelKind[] = ['api', 'x', 'whatsapp', 'telegram', 'email', 'webchat'];

const actor = systemActor('worker:poll');

export type PollDeps = {
  db: Db;
  dispatcher: Dispatcher;
  secretBox: SecretBox;
  logger: Logger;
  connectorFor?: (kind: ChannelKind) => Connector | undefined;
};

export type PollOutcome =
  | { outcome: 'skipped'; reason: 'missing' | 'paused' | 'waiting' | 'busy' | 'not-polling' }
  | { outcome: 'polled'; fetched: number; created: number; skipped: number; error?: PollErrorKind };

/** The wait after the n-th failure in a row: the interval doubled per failure, capped at 30 minutes. */
export function backoffMs(consecutiveFailures: number, intervalMs: number): number {
  return Math.min(intervalMs * 2 ** Math.max(1, consecutiveFailures), MAX_BACKOFF_MS);
}

const itemSchema = z.object({
  externalId: z.string().min(1).max(200),
  author: z.object({ externalId: z.string().min(1), name: z.string().min(1) }).loose(),
  text: z.string(),
  postedAt: z.date().refine((d) => !Number.isNaN(d.getTime()), 'invalid date'),
}).loose();

/**
 * Leases this process took but could not release because the database went away mid-poll. The next
 * poll of the channel here releases it first (only if it is still exactly that lease), so the channel
 * polls again as soon as the database is back instead of waiting out the whole lease.
 */
const unreleasedLeases = new Map<string, Date>();

/** One poll of one channel. `now` is injectable so tests can step past a reset without waiting. */
export async function pollChannelOnce(deps: PollDeps, channelId: string, now = new Date()): Promise<PollOutcome> {
  const { db, logger } = deps;
  const stale = unreleasedLeases.get(channelId);
  if (stale) {
    await releasePollLease(db, channelId, stale);
    unreleasedLeases.delete(channelId);
  }
  const lease = await claimPollLease(db, channelId, now, LEASE_MS);
  if (!lease) {
    const state = await findPollState(db, channelId);
    const reason = !state ? 'missing' : state.paused ? 'paused' : state.nextPollAt && state.nextPollAt > now ? 'waiting' : 'busy';
    logger.debug({ channelId, reason, nextPollAt: state?.nextPollAt }, 'poll skipped');
    return { outcome: 'skipped', reason };
  }
  try {
    return await pollClaimed(deps, channelId, now);
  } finally {
    await releasePollLease(db, channelId, lease).catch((err: Error) => {
      unreleasedLeases.set(channelId, lease);
      logger.warn({ channelId, err: err.message }, 'could not release the poll lease; the next poll releases it, else it expires by itself');
    });
  }
}

async function pollClaimed(deps: PollDeps, channelId: string, now: Date): Promise<PollOutcome> {
  const { db, dispatcher, logger } = deps;
  const channel = await loadChannelForSend(db, deps.secretBox, channelId);
  const connector = channel && (deps.connectorFor ?? defaultConnectorFor)(channel.kind);
  if (!channel || !connector?.fetchSince) return { outcome: 'skipped', reason: channel ? 'not-polling' : 'missing' };
  const topics = (await listTrackedSearches(db, channelId)).filter((t) => t.query.trim());
  const cursor: PollCursor = { channel: channel.cursor, topics: Object.fromEntries(topics.map((t) => [t.id, t.cursor])), dm: channel.dmCursor };

  let result: FetchResult;
  try {
    result = await connector.fetchSince({ ...channel, topics: topics.map((t) => ({ id: t.id, query: t.query })) }, cursor);
  } catch (err) {
    result = { items: [], nextCursor: cursor, error: asConnectorError(err) };
  }
  const skipped = [...(result.skipped ?? [])];

  // Oldest first, so a reply lands after the post it answers and threads onto it (ids break ties).
  const items = [...result.items].sort((a, b) => a.postedAt.getTime() - b.postedAt.getTime() || compareIds(a.externalId, b.externalId));
  const valid: NormalizedInbound[] = [];
  for (const item of items) {
    const checked = itemSchema.safeParse(item);
    if (checked.success) valid.push(item as NormalizedInbound);
    else skipped.push({ externalId: typeof item?.externalId === 'string' ? item.externalId : null, reason: checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
  }
  let created = 0;
  let stoppedBy: Error | null = null;
  // A page goes in as set-based batches (one transaction each), in the same oldest-first order.
  for (let i = 0; i < valid.length && !stoppedBy; i += INGEST_BATCH_SIZE) {
    const batch = valid.slice(i, i + INGEST_BATCH_SIZE);
    try {
      const results = await inTransaction(db, dispatcher, (tx, effects) => ingestBatch(tx, effects, batch, actor));
      created += results.filter((r) => r.created).length;
      continue;
    } catch (err) {
      if (!isRefusedData(err)) {
        stoppedBy = err as Error;
        break;
      }
    }
    // The database refused something in the batch: item by item, so only the refused items are skipped.
    for (const item of batch) {
      try {
        const r = await inTransaction(db, dispatcher, (tx, effects) => ingestInbound(tx, effects, item, actor));
        if (r.created) created += 1;
      } catch (err) {
        // Data PostgreSQL refuses (class 22, e.g. a NUL character) would block the channel for ever: skip it.
        if (isRefusedData(err)) {
          skipped.push({ externalId: item.externalId, reason: `refused by the database: ${(err as Error).message}` });
          continue;
        }
        stoppedBy = err as Error;
        break;
      }
    }
  }
  for (const s of skipped) logger.warn({ channelId, externalId: s.externalId, reason: s.reason }, 'skipped an unreadable item from the channel');
  for (const d of result.deferred ?? []) logger.info({ channelId, stream: d.stream, until: d.until, reason: d.reason }, 'one stream of the channel waits; the others were polled');

  const intervalMs = (channel.pollIntervalSeconds ?? 60) * 1000;
  if (stoppedBy) {
    // The cursors stay where they were: the next poll fetches these items again and dedupe drops the ones we have.
    logger.error({ channelId, err: stoppedBy.message }, 'ingest failed; the cursor was not advanced');
    await recordFailure(deps, channelId, new Transient(`Storing fetched items failed: ${stoppedBy.message}`), now, intervalMs, channel.consecutiveFailures);
    return { outcome: 'polled', fetched: items.length, created, skipped: skipped.length, error: 'transient' };
  }

  // A failed fetch that still brought something (one stream of several) stores that part first.
  const progressed = items.length > 0 || JSON.stringify(result.nextCursor) !== JSON.stringify(cursor);
  if (!result.error || progressed) {
    const exhausted = result.rateLimit && result.rateLimit.remaining <= 0 && result.rateLimit.resetAt > now ? result.rateLimit.resetAt : null;
    await db.transaction().execute((tx) => recordPollSuccess(tx, channelId, {
      cursor: result.nextCursor.channel, dmCursor: result.nextCursor.dm, topicCursors: result.nextCursor.topics, itemsCreated: created, at: now,
      rateLimit: result.rateLimit, nextPollAt: exhausted,
    }));
  }
  if (!result.error) {
    logger.debug({ channelId, fetched: items.length, created, skipped: skipped.length }, 'polled channel');
    return { outcome: 'polled', fetched: items.length, created, skipped: skipped.length };
  }
  const kind = await recordFailure(deps, channelId, result.error, now, intervalMs, progressed ? 0 : channel.consecutiveFailures);
  return { outcome: 'polled', fetched: items.length, created, skipped: skipped.length, error: kind };
}

async function recordFailure(deps: PollDeps, channelId: string, error: ConnectorError, now: Date, intervalMs: number, failuresBefore: number): Promise<PollErrorKind> {
  const { db, logger } = deps;
  if (error instanceof RateLimited) {
    const resetAt = error.retryAt > now ? error.retryAt : new Date(now.getTime() + intervalMs);
    await recordPollFailure(db, channelId, {
      kind: 'rate_limited', message: error.message, at: now, nextPollAt: resetAt, countsAsFailure: false,
      rateLimit: { remaining: 0, resetAt },
    });
    logger.info({ channelId, resetAt }, 'rate limited by the channel; no poll before the reset');
    return 'rate_limited';
  }
  const kind: PollErrorKind = error instanceof AuthFailed ? 'auth' : error instanceof Permanent ? 'permanent' : 'transient';
  const failures = failuresBefore + 1;
  const wait = kind === 'auth' ? Math.max(AUTH_RETRY_MS, backoffMs(failures, intervalMs)) : backoffMs(failures, intervalMs);
  await recordPollFailure(db, channelId, { kind, message: error.message, at: now, nextPollAt: new Date(now.getTime() + wait), countsAsFailure: true });
  logger.warn({ channelId, kind, err: error.message, retryInMs: wait }, kind === 'auth' ? 'channel credentials refused' : 'poll failed; backing off');
  return kind;
}

/** PostgreSQL refused the data itself (class 22, e.g. a NUL character): retrying would never help. */
function isRefusedData(err: unknown): boolean {
  return String((err as { code?: unknown }).code ?? '').startsWith('22');
}

/** Numeric ids (X snowflakes) compare as numbers: shorter is smaller. */
function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

function asConnectorError(err: unknown): ConnectorError {
  return err instanceof ConnectorError ? err : new Transient((err as Error)?.message ?? String(err));
}

/** Creates, changes and removes the per-channel poll schedules in BullMQ. */
export type PollScheduler = {
  /** Active channels poll every interval (the first run right away); paused ones not at all. */
  sync(channel: { id: string; kind: ChannelKind; paused: boolean; pollIntervalSeconds: number }): Promise<void>;
  /** One extra poll now (deduplicated while one waits). */
  pollNow(channelId: string): Promise<void>;
};

export const schedulerId = (channelId: string) => `poll-${channelId}`;

export function createPollScheduler(queues: Queues, connectorFor: (kind: ChannelKind) => Connector | undefined = defaultConnectorFor): PollScheduler {
  const queue = (): Queue => queues.queue(POLL_QUEUE);
  return {
    async sync(channel) {
      if (channel.paused || !connectorFor(channel.kind)?.fetchSince) {
        await queue().removeJobScheduler(schedulerId(channel.id));
        return;
      }
      // An unchanged schedule is left alone: upserting would fire an extra immediate poll.
      const existing = await queue().getJobScheduler(schedulerId(channel.id));
      if (existing && Number(existing.every) === channel.pollIntervalSeconds * 1000) return;
      await queue().upsertJobScheduler(schedulerId(channel.id), { every: channel.pollIntervalSeconds * 1000 }, {
        name: POLL_JOB, data: { channelId: channel.id }, opts: { removeOnComplete: true, removeOnFail: 100 },
      });
    },
    async pollNow(channelId) {
      await queue().add(POLL_JOB, { channelId }, { deduplication: { id: `poll-now-${channelId}` }, removeOnComplete: true, removeOnFail: 100 });
    },
  };
}

/** The reconciler's part: every channel whose connector polls gets its schedule back (Redis may have restarted empty). */
export async function reconcilePollSchedules(db: Db, scheduler: PollScheduler, connectorFor: (kind: ChannelKind) => Connector | undefined = defaultConnectorFor): Promise<number> {
  const kinds = ALL_KINDS.filter((k) => connectorFor(k)?.fetchSince);
  const channels = await listPollingChannels(db, kinds);
  for (const c of channels) await scheduler.sync(c);
  return channels.filter((c) => !c.paused).length;
}

const jobData = z.object({ channelId: z.uuid() });

/** How often a worker looks for channels without a schedule (created by the CLI, or lost with Redis). */
const SWEEP_MS = 60_000;

export function startPollWorker(deps: PollDeps, connection: Redis, prefix: string, scheduler?: PollScheduler): { worker: Worker; close(): Promise<void> } {
  const worker = new Worker(POLL_QUEUE, async (job: Job) => {
    const parsed = jobData.safeParse(job.data);
    if (!parsed.success) {
      deps.logger.warn({ jobId: job.id }, 'dropped a poll job without a valid channel id');
      return { outcome: 'skipped', reason: 'missing' };
    }
    try {
      return await pollChannelOnce(deps, parsed.data.channelId);
    } catch (err) {
      // Only our own database can fail here; the next scheduled run tries again.
      deps.logger.error({ channelId: parsed.data.channelId, err: (err as Error).message }, 'poll crashed');
      return { outcome: 'skipped', reason: 'busy' };
    }
  }, { connection, prefix, concurrency: 4 });
  worker.on('error', (err) => deps.logger.error({ err: err.message }, 'poll worker error'));
  const sweep = scheduler
    ? setInterval(() => {
      reconcilePollSchedules(deps.db, scheduler).catch((err: Error) => deps.logger.warn({ err: err.message }, 'poll schedule sweep failed'));
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
