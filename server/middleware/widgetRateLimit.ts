/**
 * Rate limits of the public widget API, counted in Redis (so every web process shares them): fixed windows from
 * the first request, counted and checked in one atomic step. A refused request is answered 429 with Retry-After
 * (the seconds until its window ends). Separate counters per client address (an office shares one, so it is
 * generous), per visitor (the widget's visitorId, or the chat a token opens) and, tighter, per address for
 * what creates something or sends mail (chats, offline cases, transcripts) and for invitations. Invitations hold
 * chat slots, so one address also holds at most a few at once per site (holdAddress: a sorted set of the
 * visitors it asked for, each expiring with its invitation) — fresh visitorIds from one address cannot take every slot.
 */
import type { Redis } from 'ioredis';
import { addressKeyOf } from './loginRateLimit';
import { countInWindow } from './windowCounter';

export type WidgetLimit = { name: string; max: number; windowSeconds: number };

export const WIDGET_LIMITS = {
  perAddress: { name: 'ip', max: 600, windowSeconds: 60 },
  perVisitor: { name: 'visitor', max: 120, windowSeconds: 60 },
  creationsPerAddress: { name: 'create', max: 20, windowSeconds: 600 },
  invitationsPerAddress: { name: 'invite', max: 10, windowSeconds: 600 },
} as const satisfies Record<string, WidgetLimit>;

/** Outstanding invitations one address may hold per site (windowSeconds: how long one is held). */
export const INVITATIONS_HELD_PER_ADDRESS = 2;

// KEYS: the address's holds. ARGV: now ms, until ms, max, member. Returns 0 (held) or the seconds until one frees.
const HOLD = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[4]) then return 0 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, math.ceil((tonumber(first[2]) - tonumber(ARGV[1])) / 1000))
end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
redis.call('PEXPIREAT', KEYS[1], ARGV[2])
return 0
`;

export type WidgetLimiter = {
  /** Counts one request of `who` against the limit: 0 when allowed, else the seconds until it may come again. */
  hit(limit: WidgetLimit, who: string): Promise<number>;
  /** The same for a client address (an IPv6 host counted by its /64). */
  hitAddress(limit: WidgetLimit, ip: string): Promise<number>;
  /**
   * Holds one of the address's `max` places for `member` (a visitor asking again keeps its place) until
   * `holdSeconds` from now: 0 when held, else the seconds until a place frees. `release` gives it back.
   */
  holdAddress(scope: string, ip: string, member: string, hold: { max: number; holdSeconds: number }): Promise<number>;
  release(scope: string, ip: string, member: string): Promise<void>;
};

export function createWidgetLimiter(redis: Redis, prefix: string): WidgetLimiter {
  return {
    async hit(limit, who) {
      return countInWindow(redis, `${prefix}:widget:${limit.name}:${who}`, limit.max, limit.windowSeconds);
    },
    hitAddress(limit, ip) {
      return this.hit(limit, addressKeyOf(ip));
    },
    async holdAddress(scope, ip, member, hold) {
      const now = Date.now();
      return Number(await redis.eval(HOLD, 1, `${prefix}:widget:held:${scope}:${addressKeyOf(ip)}`, now, now + hold.holdSeconds * 1000, hold.max, member));
    },
    async release(scope, ip, member) {
      await redis.zrem(`${prefix}:widget:held:${scope}:${addressKeyOf(ip)}`, member);
    },
  };
}
