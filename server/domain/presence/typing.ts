/**
 * Live presence "X is replying…": each keystroke burst refreshes the typist's entry in a Redis sorted set
 * per conversation (score = expiry); readers drop expired entries. Nothing here is durable on purpose.
 */
import type { Redis } from 'ioredis';
import type { LiveHub } from '../../live/liveEvents';

export const TYPING_TTL_MS = 8_000;

const keyOf = (prefix: string, conversationId: string) => `${prefix}:typing:${conversationId}`;

export async function markTyping(redis: Redis, prefix: string, conversationId: string, user: { id: string; name: string }, now = Date.now()) {
  const key = keyOf(prefix, conversationId);
  // One entry per user: the member is the user id; names live in a hash next to it.
  await redis
    .multi()
    .zadd(key, now + TYPING_TTL_MS, user.id)
    .hset(`${key}:names`, user.id, user.name)
    .pexpire(key, TYPING_TTL_MS * 4)
    .pexpire(`${key}:names`, TYPING_TTL_MS * 4)
    .exec();
}

export async function stopTyping(redis: Redis, prefix: string, conversationId: string, userId: string) {
  await redis.zrem(keyOf(prefix, conversationId), userId);
}

/** Names of everyone but `exceptUserId` typing in this conversation right now. */
export async function whoIsTyping(redis: Redis, prefix: string, conversationId: string, exceptUserId: string, now = Date.now()): Promise<string[]> {
  const key = keyOf(prefix, conversationId);
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
