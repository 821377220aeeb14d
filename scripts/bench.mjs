// `npm run bench`: installs what is missing, then runs the benchmark suite (bench/run.ts).
import { spawnSync } from 'node:child_process';
import { ensureNodeModules } from './ensure-deps.mjs';

ensureNodeModules();
const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts'], { stdio: 'inherit' });
process.exit(r.status ?? 1);
