/**
 * Attempts per client network on public pages (case status look-ups, help-page votes), counted in Redis
 * in one atomic step before the work is done: a fixed window from the first attempt. IPv6 clients count
 * per /64 and IPv4 per address (networkOf in loginRateLimit.ts, so one host cannot dodge with fresh addresses).
 * Any other key (the case page's keyed hash of an e-mail address) is counted as given.
 */
import { isIPv6 } from 'node:net';
import type { Redis } from 'ioredis';
import { networkOf, type LoginAttempt } from './loginRateLimit';

// KEYS: counter. ARGV: max, window seconds. Returns 0 when allowed, else the seconds until the window ends.
const ATTEMPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[2]) end
if n > tonumber(ARGV[1]) then
  local ttl = redis.call('TTL', KEYS[1])
  if ttl < 1 then ttl = 1 end
  return ttl
end
return 0
`;

export type PublicRateLimit = { attempt(ip: string): Promise<LoginAttempt> };

export function createPublicRateLimit(redis: Redis, prefix: string, name: string, max: number, windowSeconds: number): PublicRateLimit {
  return {
    async attempt(ip) {
      const from = isIPv6(ip) && !/^::ffff:/i.test(ip) ? networkOf(ip) : ip;
      const wait = Number(await redis.eval(ATTEMPT, 1, `${prefix}:public:${name}:${from}`, max, windowSeconds));
      return wait > 0 ? { allowed: false, retryAfterSeconds: wait } : { allowed: true };
    },
  };
}
