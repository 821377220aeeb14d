/**
 * Each test file gets its own database, copied from the run's freshly migrated template, and its own
 * Redis key prefix: one file's workers and reconcilers never touch another file's rows or jobs.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { ADMIN_DATABASE_URL, testDatabaseUrl, testRedisPrefix, testRunId } from './testEnv';

const fileKey = createHash('sha1')
  .update(expect.getState().testPath ?? String(Math.random()))
  .digest('hex')
  .slice(0, 10);
const databaseName = `replyline_test_${testRunId()}_${fileKey}`;

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await admin((c) => c.query(`CREATE DATABASE "${databaseName}" TEMPLATE "replyline_test_${testRunId()}"`));
  process.env.DATABASE_URL = testDatabaseUrl(`${testRunId()}_${fileKey}`);
  process.env.REDIS_PREFIX = `${testRedisPrefix()}_${fileKey}`;
});

afterAll(async () => {
  if (process.env.KEEP_TEST_DB) return;
  await admin((c) => c.query(`DROP DATABASE IF EXISTS "${databaseName}" WITH (FORCE)`));
});
