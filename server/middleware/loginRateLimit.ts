/** Counts failed sign-ins per IP and per e-mail in Redis; over the limit, sign-in waits out the window. */
import type { Redis } from 'ioredis';

export const LOGIN_WINDOW_SECONDS = 15 * 60;
export const LOGIN_MAX_FAILURES = 10;

export type LoginLimiter = {
  blocked(ip: string, email: string): Promise<boolean>;
  recordFailure(ip: string, email: string): Promise<void>;
  reset(email: string): Promise<void>;
};

export function createLoginLimiter(redis: Redis, prefix: string): LoginLimiter {
  const keys = (ip: string, email: string) => [`${prefix}:login:ip:${ip}`, `${prefix}:login:email:${email.toLowerCase()}`];
  return {
    async blocked(ip, email) {
      const counts = await redis.mget(...keys(ip, email));
      return counts.some((c) => Number(c ?? 0) >= LOGIN_MAX_FAILURES);
    },
    async recordFailure(ip, email) {
      const multi = redis.multi();
      for (const key of keys(ip, email)) multi.incr(key).expire(key, LOGIN_WINDOW_SECONDS, 'NX');
      await multi.exec();
    },
    async reset(email) {
      await redis.del(`${prefix}:login:email:${email.toLowerCase()}`);
    },
  };
}
