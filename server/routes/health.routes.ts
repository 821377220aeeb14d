/** GET /healthz — 200 when PostgreSQL and Redis answer, 503 naming what is down. */
import { Router } from 'express';
import { pingDatabase } from '../db/repositories/health.repo';
import type { Services } from '../services';

const within = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);

export function healthRoutes({ db, redis }: Services): Router {
  const router = Router();
  router.get('/healthz', async (_req, res) => {
    const [dbOk, redisOk] = await Promise.all([
      within(pingDatabase(db), 2000).then(
        () => true,
        () => false,
      ),
      within(redis.ping(), 2000).then(
        () => true,
        () => false,
      ),
    ]);
    const body = { status: dbOk && redisOk ? 'ok' : 'down', db: dbOk ? 'ok' : 'down', redis: redisOk ? 'ok' : 'down' };
    res.status(dbOk && redisOk ? 200 : 503).json(body);
  });
  return router;
}
