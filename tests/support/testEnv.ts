/** The names of this run's own database and Redis prefix, shared by globalSetup and every test file. */
export function testRunId(): string {
  return process.env.REPLYLINE_TEST_RUN ?? `run_${process.pid}`;
}
export const ADMIN_DATABASE_URL = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const testDatabaseUrl = (run = testRunId()) => ADMIN_DATABASE_URL.replace(/\/[^/]*$/, `/replyline_test_${run}`);
export const testRedisPrefix = (run = testRunId()) => `rltest_${run}`;
