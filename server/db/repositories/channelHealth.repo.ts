/**
 * Polling state of channels: the lease that keeps one poll per channel at a time, cursors (the
 * channel's own and one per tracked search), and health as the console shows it.
 */
import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../client';
import type { ChannelKind, PollErrorKind } from '../schema';

/** Takes the channel's poll lease when it is active, not waiting (rate limit, backoff) and not polled elsewhere. */
/** Takes the channel's poll lease when it is free and the channel due; returns the lease's expiry (its identity), else null. */
export async function claimPollLease(db: DbOrTx, channelId: string, now: Date, leaseMs: number): Promise<Date | null> {
  const until = new Date(now.getTime() + leaseMs);
  const row = await db
    .updateTable('channels')
    .set({ pollLeaseUntil: until })
    .where('id', '=', channelId)
    .where('paused', '=', false)
    .where((eb) => eb.or([eb('pollLeaseUntil', 'is', null), eb('pollLeaseUntil', '<', now)]))
    .where((eb) => eb.or([eb('nextPollAt', 'is', null), eb('nextPollAt', '<=', now)]))
    .returning('id')
    .executeTakeFirst();
  return row ? until : null;
}

/** Releases the lease claimPollLease returned, and only that one (once expired, another worker may hold a new one). */
export function releasePollLease(db: DbOrTx, channelId: string, leaseUntil: Date) {
  return db.updateTable('channels').set({ pollLeaseUntil: null }).where('id', '=', channelId).where('pollLeaseUntil', '=', leaseUntil).execute();
}

/** Why a poll did not run: the facts claimPollLease looked at. */
export function findPollState(db: DbOrTx, channelId: string) {
  return db
    .selectFrom('channels')
    .select(['id', 'paused', 'nextPollAt', 'pollLeaseUntil', 'pollIntervalSeconds', 'consecutiveFailures', 'cursor'])
    .where('id', '=', channelId)
    .executeTakeFirst();
}

export type PollSuccess = {
  cursor: string | null;
  /** The direct-message stream's cursor (X); left unchanged when undefined. */
  dmCursor?: string | null;
  topicCursors: Record<string, string | null>;
  itemsCreated: number;
  at: Date;
  rateLimit?: { remaining: number; resetAt: Date };
  nextPollAt: Date | null;
};

/** Stores where polling continues and the health of a successful fetch; called after the items are committed. */
export async function recordPollSuccess(tx: Tx, channelId: string, s: PollSuccess): Promise<void> {
  await tx
    .updateTable('channels')
    .set({
      cursor: s.cursor,
      ...(s.dmCursor !== undefined ? { dmCursor: s.dmCursor } : {}),
      lastSuccessAt: s.at,
      itemsFetched: sql`items_fetched + ${s.itemsCreated}`,
      consecutiveFailures: 0,
      nextPollAt: s.nextPollAt,
      ...(s.rateLimit ? { rateLimitRemaining: s.rateLimit.remaining, rateLimitResetAt: s.rateLimit.resetAt } : {}),
    })
    .where('id', '=', channelId)
    .execute();
  for (const [topicId, cursor] of Object.entries(s.topicCursors)) {
    await tx.updateTable('topics').set({ cursor }).where('id', '=', topicId).where('channelId', '=', channelId).execute();
  }
}

export type PollFailure = {
  kind: PollErrorKind;
  message: string;
  at: Date;
  nextPollAt: Date;
  /** Counts towards the exponential backoff (a rate limit does not). */
  countsAsFailure: boolean;
  rateLimit?: { remaining: number; resetAt: Date };
};

export async function recordPollFailure(db: DbOrTx, channelId: string, f: PollFailure): Promise<{ consecutiveFailures: number }> {
  const row = await db
    .updateTable('channels')
    .set({
      lastError: f.message.slice(0, 1000),
      lastErrorKind: f.kind,
      lastErrorAt: f.at,
      nextPollAt: f.nextPollAt,
      ...(f.countsAsFailure ? { consecutiveFailures: sql`consecutive_failures + 1` } : {}),
      ...(f.rateLimit ? { rateLimitRemaining: f.rateLimit.remaining, rateLimitResetAt: f.rateLimit.resetAt } : {}),
    })
    .where('id', '=', channelId)
    .returning('consecutiveFailures')
    .executeTakeFirst();
  return { consecutiveFailures: row?.consecutiveFailures ?? 0 };
}

/** Channels of the given kinds, for the reconciler to re-create their poll schedules. */
export function listPollingChannels(db: DbOrTx, kinds: string[]) {
  if (kinds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('channels')
    .select(['id', 'kind', 'paused', 'pollIntervalSeconds'])
    .where('kind', 'in', kinds as never[])
    .execute();
}

export function listChannelsWithHealth(db: DbOrTx) {
  return db
    .selectFrom('channels')
    .select([
      'id',
      'kind',
      'name',
      'settings',
      'credentialsEnc',
      'repliesNeedApproval',
      'caseFooter',
      'paused',
      'pollIntervalSeconds',
      'lastSuccessAt',
      'itemsFetched',
      'lastError',
      'lastErrorKind',
      'lastErrorAt',
      'consecutiveFailures',
      'nextPollAt',
      'rateLimitRemaining',
      'rateLimitResetAt',
      'createdAt',
      'webhookUrl',
      // 036_channel_bot: the bot setting on the channels page
      'botEnabled',
      'botMaxTurns',
      'botDisclosure',
      'botHelpSiteId',
    ])
    .orderBy('name')
    .orderBy('id')
    .execute();
}

export function lockChannel(tx: Tx, channelId: string) {
  return tx.selectFrom('channels').selectAll().where('id', '=', channelId).forUpdate().executeTakeFirst();
}

export function setChannelPolling(
  tx: Tx,
  channelId: string,
  set: { paused?: boolean; pollIntervalSeconds?: number; nextPollAt?: Date | null; consecutiveFailures?: number },
) {
  return tx.updateTable('channels').set(set).where('id', '=', channelId).execute();
}

export function setChannelCredentials(tx: Tx, channelId: string, credentialsEnc: string) {
  // New credentials deserve a poll right away, not after the backoff the old ones earned.
  return tx.updateTable('channels').set({ credentialsEnc, nextPollAt: null, consecutiveFailures: 0 }).where('id', '=', channelId).execute();
}

/** Tracked searches still in use (removed ones keep their conversations but are no longer polled). */
export function listTrackedSearches(db: DbOrTx, channelId: string) {
  return db
    .selectFrom('topics')
    .select(['id', 'channelId', 'name', 'query', 'cursor', 'createdAt'])
    .where('channelId', '=', channelId)
    .where('removedAt', 'is', null)
    .orderBy('createdAt')
    .orderBy('id')
    .execute();
}

export function listAllTrackedSearches(db: DbOrTx) {
  return db
    .selectFrom('topics')
    .select(['id', 'channelId', 'name', 'query', 'createdAt'])
    .where('removedAt', 'is', null)
    .where('query', '<>', '')
    .orderBy('createdAt')
    .orderBy('id')
    .execute();
}

export function insertTrackedSearch(tx: Tx, t: { channelId: string; name: string; query: string }) {
  return tx.insertInto('topics').values(t).returning(['id', 'name', 'query']).executeTakeFirstOrThrow();
}

export function removeTrackedSearch(tx: Tx, channelId: string, topicId: string) {
  return tx
    .updateTable('topics')
    .set({ removedAt: new Date(), updatedAt: new Date() })
    .where('id', '=', topicId)
    .where('channelId', '=', channelId)
    .where('removedAt', 'is', null)
    .returning(['id', 'name', 'query'])
    .executeTakeFirst();
}

/** Channels of a kind that are not paused (the channel watchers keep one connection per watched channel). */
export function listActiveChannelIds(db: DbOrTx, kind: ChannelKind) {
  return db.selectFrom('channels').select('id').where('kind', '=', kind).where('paused', '=', false).execute();
}

/**
 * Each channel's traffic, pushed or polled alike: the newest message in, the newest reply delivered, the
 * newest failed reply with its reason, and the replies of the last 24 hours with how many failed.
 */
export async function listChannelTraffic(db: DbOrTx, now: Date) {
  const since = new Date(now.getTime() - 24 * 3600_000);
  const { rows } = await sql<{
    channelId: string;
    lastInboundAt: Date | null;
    lastReplyAt: Date | null;
    lastFailureAt: Date | null;
    lastFailure: string | null;
    repliesDay: number;
    failedDay: number;
  }>`
    SELECT c.id AS channel_id,
      (SELECT m.created_at FROM messages m WHERE m.channel_id = c.id AND m.direction = 'inbound' ORDER BY m.created_at DESC LIMIT 1) AS last_inbound_at,
      (SELECT coalesce(m.delivered_at, m.created_at) FROM messages m
        WHERE m.channel_id = c.id AND m.direction = 'outbound' AND m.delivery_state = 'sent' ORDER BY m.created_at DESC LIMIT 1) AS last_reply_at,
      f.created_at AS last_failure_at, f.delivery_error AS last_failure,
      coalesce(d.replies, 0)::int AS replies_day, coalesce(d.failed, 0)::int AS failed_day
    FROM channels c
    LEFT JOIN LATERAL (SELECT m.created_at, m.delivery_error FROM messages m
      WHERE m.channel_id = c.id AND m.direction = 'outbound' AND m.delivery_state = 'failed' ORDER BY m.created_at DESC LIMIT 1) f ON true
    LEFT JOIN LATERAL (SELECT count(*) FILTER (WHERE m.delivery_state IN ('sent', 'failed')) AS replies, count(*) FILTER (WHERE m.delivery_state = 'failed') AS failed
      FROM messages m WHERE m.channel_id = c.id AND m.direction = 'outbound' AND m.created_at >= ${since}) d ON true`.execute(db);
  return rows;
}
