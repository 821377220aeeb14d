// `npm run lint` (also a step of `npm test`): Biome's format check and lint, the layer rules, dead code.
//   biome ci          formatting of every .ts/.js/.mjs/.json file (biome.jsonc) and the lint rules, warnings included
//   dependency-cruiser  the layer rules of .dependency-cruiser.cjs (domain ↛ express/bullmq/routes/jobs, …)
//   knip              unused files, exports and dependencies (knip.jsonc)
// Exits non-zero when any of them fails. Plain Node, no dependencies.
import { spawnSync } from 'node:child_process';

const bin = (name) => `node_modules/.bin/${name}`;
const run = (label, cmd, args, opts = {}) => {
  console.log(`\n▶ ${label}`);
  return spawnSync(cmd, args, { stdio: 'inherit', ...opts }).status ?? 1;
};

export function lint() {
  let failed = 0;
  failed += run('Format and lint (biome ci)', bin('biome'), ['ci', '--error-on-warnings', '.']) !== 0;
  failed += run('Layer rules (dependency-cruiser)', bin('depcruise'), ['--config', '.dependency-cruiser.cjs', 'server', 'connectors', 'jobs']) !== 0;
  failed += run('Unused files, exports, dependencies (knip)', bin('knip'), ['--no-progress']) !== 0;
  return failed === 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exit(lint() ? 0 : 1);
