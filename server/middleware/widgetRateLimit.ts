/**
 * Rate limits of the public widget API, counted in Redis (so every web process shares them): fixed windows from
 * the first request, counted and checked in one atomic step. A refused request is answered 429 with Retry-After
 * (the seconds until its window ends). Separate counters per client address (an office shares one, so it is
 * generous), per visitor (the widget's visitorId, or the chat a token opens) and, tighter, per address for
 * what creates something or sends mail (chats, offline cases, transcripts).
 */
import type { Redis } from 'ioredis';
import { addressKeyOf } from './loginRateLimit';

export type WidgetLimit = { name: string; max: number; windowSeconds: number };

export const WIDGET_LIMITS = {
  perAddress: { name: 'ip', max: 600, windowSeconds: 60 },
  perVisitor: { name: 'visitor', max: 120, windowSeconds: 60 },
  creationsPerAddress: { name: 'create', max: 20, windowSeconds: 600 },
} as const satisfies Record<string, WidgetLimit>;

// KEYS: the counter. ARGV: window seconds, max. Returns 0 (allowed) or the seconds to wait.
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

export type WidgetLimiter = {
  /** Counts one request of `who` against the limit: 0 when allowed, else the seconds until it may come again. */
  hit(limit: WidgetLimit, who: string): Promise<number>;
  /** The same for a client address (an IPv6 host counted by its /64). */
  hitAddress(limit: WidgetLimit, ip: string): Promise<number>;
};

export function createWidgetLimiter(redis: Redis, prefix: string): WidgetLimiter {
  return {
    async hit(limit, who) {
      return Number(await redis.eval(HIT, 1, `${prefix}:widget:${limit.name}:${who}`, limit.windowSeconds, limit.max));
    },
    hitAddress(limit, ip) {
      return this.hit(limit, addressKeyOf(ip));
    },
  };
}
