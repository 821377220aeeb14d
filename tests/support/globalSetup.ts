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
  // The fakes (X, Meta, Telegram, webhook receivers, SMTP, IMAP) listen on 127.0.0.1: this run allows exactly
  // that loopback address as an outbound target, nothing else inside (server/net/outboundTarget.ts).
  process.env.OUTBOUND_ALLOWED_HOSTS = '127.0.0.1,localhost';
  await ensureDatabase(process.env.DATABASE_URL);
  await migrate(process.env.DATABASE_URL);
}
