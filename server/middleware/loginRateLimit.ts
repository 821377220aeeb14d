/**
 * Sign-in attempts counted in Redis, checked and counted in one atomic step (a Lua script) before the
 * password is looked at, so parallel guesses cannot all slip past a counter read before it is raised.
 *
 * Three counters, each a fixed window from its first attempt:
 * - e-mail + IP: tight. A stranger guessing one account from their address is stopped after a few tries,
 *   and only they are: the account's owner, from another address, is not affected.
 * - IP: one address trying many accounts (a team often shares one office address, so it is higher).
 * - e-mail, from every address: a slower, generous backoff against guessing spread over many addresses.
 *   It does not apply to a network the account signed in from in the last KNOWN_NETWORK_DAYS, so
 *   strangers cannot lock the owner out of their usual network.
 * A successful sign-in takes its own attempt back off the counters.
 */
import { isIPv4, isIPv6 } from 'node:net';
import type { Redis } from 'ioredis';

export const LOGIN_WINDOW_SECONDS = 15 * 60;
/** Per e-mail and IP: guessing one account's password from one address. */
export const LOGIN_MAX_FAILURES_PER_EMAIL_AND_IP = 10;
/** Per IP: higher, because a whole care team often signs in from one office address. */
export const LOGIN_MAX_FAILURES_PER_IP = 50;
/** Per e-mail from all addresses together, in the longer window; not for the account's known networks. */
export const LOGIN_MAX_FAILURES_PER_EMAIL = 100;
export const LOGIN_EMAIL_WINDOW_SECONDS = 60 * 60;
export const KNOWN_NETWORK_DAYS = 30;

export type LoginAttempt = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export type LoginLimiter = {
  /** Counts this attempt if it is allowed; a refused attempt is not counted. */
  attempt(ip: string, email: string): Promise<LoginAttempt>;
  /** The attempt was the right password: uncount it and remember the network as the account's. */
  succeeded(ip: string, email: string): Promise<void>;
};

// KEYS: pair, ip, email, known. ARGV: pair max, ip max, email max, short window, email window.
const ATTEMPT = `
local limits = { {KEYS[1], tonumber(ARGV[1])}, {KEYS[2], tonumber(ARGV[2])} }
if redis.call('EXISTS', KEYS[4]) == 0 then table.insert(limits, {KEYS[3], tonumber(ARGV[3])}) end
for _, l in ipairs(limits) do
  if tonumber(redis.call('GET', l[1]) or '0') >= l[2] then
    local ttl = redis.call('TTL', l[1])
    if ttl < 1 then ttl = 1 end
    return ttl
  end
end
for i, key in ipairs({KEYS[1], KEYS[2], KEYS[3]}) do
  redis.call('INCR', key)
  redis.call('EXPIRE', key, i == 3 and ARGV[5] or ARGV[4], 'NX')
end
return 0
`;

// KEYS: pair, ip, email, known. ARGV: known-network seconds.
const SUCCEEDED = `
redis.call('DEL', KEYS[1])
for _, key in ipairs({KEYS[2], KEYS[3]}) do
  if tonumber(redis.call('GET', key) or '0') > 0 then redis.call('DECR', key) end
end
redis.call('SET', KEYS[4], '1', 'EX', ARGV[1])
return 0
`;

export function createLoginLimiter(redis: Redis, prefix: string): LoginLimiter {
  const keys = (ip: string, email: string) => {
    const who = email.toLowerCase();
    const from = addressKeyOf(ip);
    return [
      `${prefix}:login:pair:${who}:${from}`,
      `${prefix}:login:ip:${from}`,
      `${prefix}:login:email:${who}`,
      `${prefix}:login:known:${who}:${networkOf(ip)}`,
    ];
  };
  return {
    async attempt(ip, email) {
      const wait = Number(
        await redis.eval(
          ATTEMPT,
          4,
          ...keys(ip, email),
          LOGIN_MAX_FAILURES_PER_EMAIL_AND_IP,
          LOGIN_MAX_FAILURES_PER_IP,
          LOGIN_MAX_FAILURES_PER_EMAIL,
          LOGIN_WINDOW_SECONDS,
          LOGIN_EMAIL_WINDOW_SECONDS,
        ),
      );
      return wait > 0 ? { allowed: false, retryAfterSeconds: wait } : { allowed: true };
    },
    async succeeded(ip, email) {
      await redis.eval(SUCCEEDED, 4, ...keys(ip, email), KNOWN_NETWORK_DAYS * 86400);
    },
  };
}

/** What a limit counts per address: the address itself; an IPv6 host by its /64 (a host usually holds a whole /64, so counting per address would give one attacker 2^64 fresh counters). */
export function addressKeyOf(ip: string): string {
  return isIPv6(ip) && !/^::ffff:/i.test(ip) ? networkOf(ip) : ip;
}

/** The network an address belongs to: its /24 (IPv4) or /64 (IPv6), so a changing office address still counts as known. */
export function networkOf(ip: string): string {
  const v4 = /^(?:::ffff:)?(\d+\.\d+\.\d+)\.\d+$/i.exec(ip);
  if (v4 && isIPv4(ip.replace(/^::ffff:/i, ''))) return `${v4[1]}.0/24`;
  if (isIPv6(ip)) {
    const [head = '', tail = ''] = ip.toLowerCase().split('::');
    const left = head ? head.split(':') : [];
    const right = ip.includes('::') ? (tail ? tail.split(':') : []) : [];
    const groups = [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
    return `${groups
      .slice(0, 4)
      .map((g) => g.replace(/^0+(?=.)/, ''))
      .join(':')}::/64`;
  }
  return ip;
}
