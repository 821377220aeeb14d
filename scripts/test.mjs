// `npm test`: installs what is missing, type-checks, lints (Biome, layer rules: scripts/lint.mjs), then runs the
// whole Jest suite: the unit, integration (real PostgreSQL and Redis) and browser (Chromium) projects.
// Extra arguments go to Jest, e.g. `npm test -- --selectProjects unit`.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ensureChromium, ensureDovecot, ensureNodeModules } from './ensure-deps.mjs';
import { lint } from './lint.mjs';

ensureNodeModules();
ensureChromium();
ensureDovecot();

const step = (label, cmd, args) => {
  console.log(`\n▶ ${label}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  return r.status ?? 1;
};

if (step('Type-check (tsc --noEmit)', 'npx', ['tsc', '--noEmit', '-p', '.']) !== 0) process.exit(1);
// A lint or layer finding fails the run, but the tests still run so one sees everything at once.
const lintOk = lint();
const jestStatus = step('Tests (jest)', 'npx', ['jest', '--json', '--outputFile=test-artifacts/jest-results.json', ...process.argv.slice(2)]);
try {
  const r = JSON.parse(readFileSync('test-artifacts/jest-results.json', 'utf8'));
  console.log(`\nTests: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
  if (r.numTotalTests === 0) process.exit(1);
} catch {
  console.log('\nTests: no result file was written');
}
if (!lintOk) console.log('\nLint or layer rules failed (see above): npm run lint');
process.exit(jestStatus !== 0 ? jestStatus : lintOk ? 0 : 1);
