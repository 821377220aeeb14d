/**
 * Three projects, run together by `npm test` (scripts/test.mjs) or alone with `--selectProjects`:
 * - unit: pure code, no database, no Redis (`npm run test:unit`, seconds);
 * - integration: real PostgreSQL and Redis through HTTP, jobs and the fake channel servers;
 * - browser: Chromium driven by playwright-core against the real app.
 * Integration and browser tests migrate one template database per run (globalSetup), and each test file
 * copies it into its own database with its own Redis key prefix (perFileDatabase.ts).
 * Every project refuses outbound network except loopback (blockNetwork.ts).
 */
const common = {
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  setupFiles: ['<rootDir>/tests/support/blockNetwork.ts'],
};
const withDatabase = {
  globalSetup: '<rootDir>/tests/support/globalSetup.ts',
  globalTeardown: '<rootDir>/tests/support/globalTeardown.ts',
  setupFilesAfterEnv: ['<rootDir>/tests/support/perFileDatabase.ts'],
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', roots: ['<rootDir>/tests/unit'] },
    { ...common, ...withDatabase, displayName: 'integration', roots: ['<rootDir>/tests/integration'] },
    { ...common, ...withDatabase, displayName: 'browser', roots: ['<rootDir>/tests/browser'] },
  ],
  testTimeout: 30000,
  maxWorkers: 2,
};
