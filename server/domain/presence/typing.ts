/**
 * Live presence "X is replying…" and "X is viewing": each keystroke burst (or, while the page is open, a
 * heartbeat) refreshes the user's entry in a Redis sorted set per conversation and kind (score = expiry);
 * readers drop expired entries. Nothing here is durable on purpose.
 */
import type { Redis } from 'ioredis';
import type { LiveHub } from '../../live/liveEvents';

const TTL_MS = { typing: 8_000, viewing: 45_000 } as const;
type PresenceKind = keyof typeof TTL_MS;

const keyOf = (prefix: string, conversationId: string, kind: PresenceKind = 'typing') => `${prefix}:${kind}:${conversationId}`;

export function markTyping(redis: Redis, prefix: string, conversationId: string, user: { id: string; name: string }, now = Date.now()) {
  return markPresent(redis, prefix, 'typing', conversationId, user, now);
}

/** The conversation's page is open for this user (its heartbeat comes well within the time-to-live). */
export function markViewing(redis: Redis, prefix: string, conversationId: string, user: { id: string; name: string }, now = Date.now()) {
  return markPresent(redis, prefix, 'viewing', conversationId, user, now);
}

async function markPresent(redis: Redis, prefix: string, kind: PresenceKind, conversationId: string, user: { id: string; name: string }, now: number) {
  const key = keyOf(prefix, conversationId, kind);
  const ttl = TTL_MS[kind];
  // One entry per user: the member is the user id; names live in a hash next to it.
  await redis
    .multi()
    .zadd(key, now + ttl, user.id)
    .hset(`${key}:names`, user.id, user.name)
    .pexpire(key, ttl * 4)
    .pexpire(`${key}:names`, ttl * 4)
    .exec();
}

export async function stopTyping(redis: Redis, prefix: string, conversationId: string, userId: string) {
  await redis.zrem(keyOf(prefix, conversationId), userId);
}

/** Names of everyone but `exceptUserId` typing in this conversation right now. */
export function whoIsTyping(redis: Redis, prefix: string, conversationId: string, exceptUserId: string, now = Date.now()): Promise<string[]> {
  return whoIsPresent(redis, prefix, 'typing', conversationId, exceptUserId, now);
}

/** Names of everyone but `exceptUserId` who has this conversation open right now. */
export function whoIsViewing(redis: Redis, prefix: string, conversationId: string, exceptUserId: string, now = Date.now()): Promise<string[]> {
  return whoIsPresent(redis, prefix, 'viewing', conversationId, exceptUserId, now);
}

async function whoIsPresent(redis: Redis, prefix: string, kind: PresenceKind, conversationId: string, exceptUserId: string, now: number): Promise<string[]> {
  const key = keyOf(prefix, conversationId, kind);
  await redis.zremrangebyscore(key, '-inf', now);
  const ids = (await redis.zrange(key, 0, -1)).filter((id) => id !== exceptUserId);
  if (!ids.length) return [];
  const names = await redis.hmget(`${key}:names`, ...ids);
  return names.filter((n): n is string => !!n);
}

/** After a reply is sent its author is no longer "replying…" for the others; presence is best effort. */
export async function clearPresence(
  deps: { redis: Redis; config: { redisPrefix: string }; live: LiveHub },
  conversationId: string,
  userId: string,
): Promise<void> {
  await stopTyping(deps.redis, deps.config.redisPrefix, conversationId, userId).catch(() => undefined);
  await deps.live.publish({ type: 'presence', conversationId, userId }).catch(() => undefined);
}
