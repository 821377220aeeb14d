/** One freshly migrated template database and one Redis key prefix per test run (each file copies the template: perFileDatabase.ts). */
import { ensureDatabase, migrate } from '../../server/db/migrate';
import { testDatabaseUrl, testRedisPrefix } from './testEnv';

/** Set once per Jest process: the integration and browser projects both name this setup and share one template. */
const TEMPLATE_READY = Symbol.for('replyline.tests.templateReady');

export default async function globalSetup() {
  const state = globalThis as { [TEMPLATE_READY]?: true };
  if (state[TEMPLATE_READY]) return;
  state[TEMPLATE_READY] = true;
  const run = `${Date.now().toString(36)}_${process.pid}`;
  process.env.REPLYLINE_TEST_RUN = run;
  process.env.DATABASE_URL = testDatabaseUrl(run);
  process.env.REDIS_PREFIX = testRedisPrefix(run);
  process.env.NODE_ENV = 'test';
  await ensureDatabase(process.env.DATABASE_URL);
  await migrate(process.env.DATABASE_URL);
}
