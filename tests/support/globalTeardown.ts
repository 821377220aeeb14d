/** Drops this run's database and Redis keys, unless KEEP_TEST_DB is set for debugging. */
import { Redis } from 'ioredis';
import pg from 'pg';
import { ADMIN_DATABASE_URL, testRedisPrefix, testRunId } from './testEnv';

export default async function globalTeardown() {
  if (process.env.KEEP_TEST_DB) return;
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  // The run's template and any per-file copy a crashed worker left behind.
  const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`replyline_test_${testRunId()}%`]);
  for (const { datname } of rows) await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  await admin.end();
  const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${testRedisPrefix()}*`, 'COUNT', 500);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  redis.disconnect();
}
