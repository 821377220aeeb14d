// `npm test`: installs what is missing, type-checks, then runs the whole Jest suite
// (unit, integration against real PostgreSQL and Redis, browser tests in Chromium).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ensureChromium, ensureDovecot, ensureNodeModules } from './ensure-deps.mjs';

ensureNodeModules();
ensureChromium();
ensureDovecot();

const step = (label, cmd, args) => {
  console.log(`\n▶ ${label}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  return r.status ?? 1;
};

if (step('Type-check (tsc --noEmit)', 'npx', ['tsc', '--noEmit', '-p', '.']) !== 0) process.exit(1);
const jestStatus = step('Tests (jest)', 'npx', ['jest', '--json', '--outputFile=test-artifacts/jest-results.json', ...process.argv.slice(2)]);
try {
  const r = JSON.parse(readFileSync('test-artifacts/jest-results.json', 'utf8'));
  console.log(`\nTests: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
  if (r.numTotalTests === 0) process.exit(1);
} catch {
  console.log('\nTests: no result file was written');
}
process.exit(jestStatus);
