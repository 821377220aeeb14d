/** Counts failed sign-ins per IP and per e-mail in Redis; over the limit, sign-in waits out the window. */
import type { Redis } from 'ioredis';

export const LOGIN_WINDOW_SECONDS = 15 * 60;
/** Per e-mail: guessing one account's password. */
export const LOGIN_MAX_FAILURES_PER_EMAIL = 10;
/** Per IP: higher, because a whole care team often signs in from one office address. */
export const LOGIN_MAX_FAILURES_PER_IP = 50;

export type LoginLimiter = {
  blocked(ip: string, email: string): Promise<boolean>;
  recordFailure(ip: string, email: string): Promise<void>;
  reset(email: string): Promise<void>;
};

export function createLoginLimiter(redis: Redis, prefix: string): LoginLimiter {
  const keys = (ip: string, email: string) => [`${prefix}:login:ip:${ip}`, `${prefix}:login:email:${email.toLowerCase()}`];
  return {
    async blocked(ip, email) {
      const [perIp, perEmail] = await redis.mget(...keys(ip, email));
      return Number(perIp ?? 0) >= LOGIN_MAX_FAILURES_PER_IP || Number(perEmail ?? 0) >= LOGIN_MAX_FAILURES_PER_EMAIL;
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
