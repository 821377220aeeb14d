/**
 * One poll of one channel whose connector has a poll side (fetchSince): fetch since the stored cursors,
 * ingest the page in set-based batches (one transaction each), and only then advance the stored
 * cursors. The remote side's rate-limit state and our error backoff live in the channel row
 * (next_poll_at), so a poll before that time is skipped without calling out. Never throws for the
 * remote side: every outcome is recorded in the channel's health (only our own database can fail it).
 */
import { z } from 'zod';
import { ConnectorError, Transient, type Connectors, type FetchResult, type NormalizedInbound, type PollCursor } from '../../../../connectors/types';
import type { SecretBox } from '../../../crypto/secretBox';
import type { Db } from '../../../db/client';
import type { PollErrorKind } from '../../../db/schema';
import {
  claimPollLease,
  findPollState,
  listTrackedSearches,
  recordPollFailure,
  recordPollSuccess,
  releasePollLease,
} from '../../../db/repositories/channelHealth.repo';
import type { Logger } from '../../../logger';
import { systemActor } from '../../audit/actor';
import { ingestWithBot } from '../../bot/channelBot';
import { INGEST_BATCH_SIZE } from '../../conversations/ingestBatch';
import { inTransaction, type Dispatcher } from '../../effects';
import { loadChannelForSend } from '../loadChannelForSend';
import { decideAfterFailure } from './backoff';

const LEASE_MS = 5 * 60_000;

const actor = systemActor('worker:poll');

export type PollDeps = {
  db: Db;
  dispatcher: Dispatcher;
  secretBox: SecretBox;
  logger: Logger;
  connectors: Connectors;
  /** the console's address: the bot's article links (bot first on messaging channels, domain/bot/channelBot.ts) */
  config: { baseUrl: string };
};

export type PollOutcome =
  | { outcome: 'skipped'; reason: 'missing' | 'paused' | 'waiting' | 'busy' | 'not-polling' }
  | { outcome: 'polled'; fetched: number; created: number; skipped: number; error?: PollErrorKind };

const itemSchema = z
  .object({
    externalId: z.string().min(1).max(200),
    author: z.object({ externalId: z.string().min(1), name: z.string().min(1) }).loose(),
    text: z.string(),
    postedAt: z.date().refine((d) => !Number.isNaN(d.getTime()), 'invalid date'),
  })
  .loose();

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
  const botEnv = { baseUrl: deps.config.baseUrl, connectors: deps.connectors };
  const channel = await loadChannelForSend(db, deps.secretBox, channelId);
  const connector = channel && deps.connectors.of(channel.kind);
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
    else
      skipped.push({
        externalId: typeof item?.externalId === 'string' ? item.externalId : null,
        reason: checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
      });
  }
  let created = 0;
  let stoppedBy: Error | null = null;
  // A page goes in as set-based batches (one transaction each), in the same oldest-first order.
  for (let i = 0; i < valid.length && !stoppedBy; i += INGEST_BATCH_SIZE) {
    const batch = valid.slice(i, i + INGEST_BATCH_SIZE);
    try {
      const results = await inTransaction(db, dispatcher, (tx, effects) => ingestWithBot(tx, effects, batch, actor, botEnv));
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
        const [r] = await inTransaction(db, dispatcher, (tx, effects) => ingestWithBot(tx, effects, [item], actor, botEnv));
        if (r!.created) created += 1;
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
  for (const d of result.deferred ?? [])
    logger.info({ channelId, stream: d.stream, until: d.until, reason: d.reason }, 'one stream of the channel waits; the others were polled');

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
    // A connector's rate-limit state with an invalid time would make the database refuse the whole record: left out.
    const rateLimit =
      result.rateLimit && Number.isFinite(result.rateLimit.remaining) && Number.isFinite(result.rateLimit.resetAt.getTime()) ? result.rateLimit : undefined;
    const exhausted = rateLimit && rateLimit.remaining <= 0 && rateLimit.resetAt > now ? rateLimit.resetAt : null;
    await db.transaction().execute((tx) =>
      recordPollSuccess(tx, channelId, {
        cursor: result.nextCursor.channel,
        dmCursor: result.nextCursor.dm,
        topicCursors: result.nextCursor.topics,
        itemsCreated: created,
        at: now,
        rateLimit,
        nextPollAt: exhausted,
      }),
    );
  }
  if (!result.error) {
    logger.debug({ channelId, fetched: items.length, created, skipped: skipped.length }, 'polled channel');
    return { outcome: 'polled', fetched: items.length, created, skipped: skipped.length };
  }
  const kind = await recordFailure(deps, channelId, result.error, now, intervalMs, progressed ? 0 : channel.consecutiveFailures);
  return { outcome: 'polled', fetched: items.length, created, skipped: skipped.length, error: kind };
}

async function recordFailure(
  deps: PollDeps,
  channelId: string,
  error: ConnectorError,
  now: Date,
  intervalMs: number,
  failuresBefore: number,
): Promise<PollErrorKind> {
  const decision = decideAfterFailure(error, failuresBefore, intervalMs, now);
  await recordPollFailure(deps.db, channelId, { ...decision, message: error.message, at: now });
  if (decision.kind === 'rate_limited') deps.logger.info({ channelId, resetAt: decision.nextPollAt }, 'rate limited by the channel; no poll before the reset');
  else {
    const retryInMs = decision.nextPollAt.getTime() - now.getTime();
    deps.logger.warn(
      { channelId, kind: decision.kind, err: error.message, retryInMs },
      decision.kind === 'auth' ? 'channel credentials refused' : 'poll failed; backing off',
    );
  }
  return decision.kind;
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
