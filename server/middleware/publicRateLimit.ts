/**
 * Attempts per client network on public pages (case status look-ups, help-page votes), counted in Redis
 * in one atomic step before the work is done: a fixed window from the first attempt. IPv6 clients count
 * per /64 and IPv4 per address (addressKeyOf in loginRateLimit.ts, so one host cannot dodge with fresh addresses).
 * Any other key (the case page's keyed hash of an e-mail address) is counted as given.
 */
import type { Redis } from 'ioredis';
import { addressKeyOf, type LoginAttempt } from './loginRateLimit';
import { countInWindow } from './windowCounter';

export type PublicRateLimit = { attempt(ip: string): Promise<LoginAttempt> };

export function createPublicRateLimit(redis: Redis, prefix: string, name: string, max: number, windowSeconds: number): PublicRateLimit {
  return {
    async attempt(ip) {
      const wait = await countInWindow(redis, `${prefix}:public:${name}:${addressKeyOf(ip)}`, max, windowSeconds);
      return wait > 0 ? { allowed: false, retryAfterSeconds: wait } : { allowed: true };
    },
  };
}
