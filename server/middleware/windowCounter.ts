/**
 * One fixed-window counter in Redis, shared by every rate limit that counts requests: the window starts with
 * the first hit, and the count and the check are one atomic step (every web process shares the counter).
 */
import type { Redis } from 'ioredis';

// KEYS: the counter. ARGV: window seconds, max. Returns 0 (allowed) or the seconds until the window ends.
const HIT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
if n > tonumber(ARGV[2]) then
  local ttl = redis.call('TTL', KEYS[1])
  if ttl < 1 then ttl = 1 end
  return ttl
end
return 0
`;

/** Counts one hit on `key`: 0 while at most `max` hits fell in the window, else the seconds until it ends. */
export async function countInWindow(redis: Redis, key: string, max: number, windowSeconds: number): Promise<number> {
  return Number(await redis.eval(HIT, 1, key, windowSeconds, max));
}
