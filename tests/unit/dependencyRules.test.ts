/**
 * The layer rules (.dependency-cruiser.cjs) fail on a deliberate violation of each. Runs dependency-cruiser on a
 * small tree in a temp folder laid out like ours (server/domain, server/routes, connectors, jobs …), with our
 * node_modules, so `import express from 'express'` resolves exactly as it would in the real tree.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

function cruise(files: Record<string, string>): { status: number | null; violations: string[] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'replyline-deps-'));
  try {
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }));
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), text);
    }
    const roots = ['server', 'connectors', 'jobs'].filter((r) => Object.keys(files).some((f) => f.startsWith(`${r}/`)));
    // The same reporter as `npm run lint`, whose exit code is the number of errors.
    const res = spawnSync(
      process.execPath,
      [
        path.join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'),
        '--config',
        path.join(ROOT, '.dependency-cruiser.cjs'),
        '--output-type',
        'err',
        ...roots,
      ],
      { cwd: dir, encoding: 'utf8' },
    );
    if (!/dependencies cruised/.test(res.stdout)) throw new Error(`dependency-cruiser did not run: ${res.stdout}${res.stderr}`);
    // An npm target is named by its package (its resolved file lies in our node_modules, outside the temp folder).
    const target = (to: string) => to.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*$/, 'npm:$1');
    const violations = [...res.stdout.matchAll(/^\s*error (\S+): (\S+) →\s+(\S+)/gm)].map(([, rule, from, to]) => `${rule}: ${from} → ${target(to!)}`);
    return { status: res.status, violations: violations.sort() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const LAYERS = {
  'connectors/types.ts': 'export interface Connector { send(text: string): Promise<void> }\n',
  'connectors/x/settings.ts': 'export const X = 1;\n',
  'jobs/worker.ts': 'export const startWorker = () => 1;\n',
  'server/routes/inbox.routes.ts': 'export const inbox = 1;\n',
  'server/middleware/auth.ts': 'export const auth = 1;\n',
  'server/db/repo.ts': 'export const rows = () => [];\n',
};

describe('layer rules', () => {
  it('when a domain file imports express, then the check fails naming the rule and the file', () => {
    const result = cruise({ ...LAYERS, 'server/domain/bad.ts': "import express from 'express';\nexport const app = express();\n" });
    expect(result.violations).toEqual(['domain-not-to-http-or-queues: server/domain/bad.ts → npm:express']);
    expect(result.status).not.toBe(0);
  });

  it('when each rule is broken once, then each is reported once, and the allowed imports are not', () => {
    const result = cruise({
      ...LAYERS,
      // Allowed: a type-only Redis client parameter, the connector interface, the repositories; db naming a
      // domain type; routes and jobs calling the domain; jobs using a connector.
      'server/domain/typing.ts':
        "import type { Redis } from 'ioredis';\nimport type { Connector } from '../../connectors/types';\nimport { rows } from '../db/repo';\n" +
        'export const typing = (r: Redis, c: Connector) => [r, c, rows()];\n',
      'server/db/typed.ts': "import type { Typing } from '../domain/types';\nexport const t: Typing | null = null;\n",
      'server/domain/types.ts': 'export type Typing = { on: boolean };\n',
      'server/routes/ok.routes.ts': "import { typing } from '../domain/typing';\nexport const ok = typing;\n",
      'jobs/ok.job.ts': "import { typing } from '../server/domain/typing';\nimport { X } from '../connectors/x/settings';\nexport const ok = [typing, X];\n",
      // Each of these breaks one rule.
      'server/domain/queue.ts': "import type { Job } from 'bullmq';\nexport type J = Job;\n",
      'server/domain/redis.ts': "import { Redis } from 'ioredis';\nexport const connect = () => new Redis();\n",
      'server/domain/web.ts': "import { inbox } from '../routes/inbox.routes';\nimport { auth } from '../middleware/auth';\nexport const w = [inbox, auth];\n",
      'server/domain/job.ts': "import { startWorker } from '../../jobs/worker';\nexport const j = startWorker;\n",
      'server/domain/channel.ts': "import { X } from '../../connectors/x/settings';\nexport const c = X;\n",
      'server/domain/a.ts': "import { b } from './b';\nexport const a = () => b;\n",
      'server/domain/b.ts': "import { a } from './a';\nexport const b = () => a;\n",
      'server/routes/queue.routes.ts': "import { startWorker } from '../../jobs/worker';\nexport const q = startWorker;\n",
      'connectors/x/web.ts': "import { auth } from '../../server/middleware/auth';\nexport const w = auth;\n",
      'server/db/upper.ts': "import { inbox } from '../routes/inbox.routes';\nexport const u = inbox;\n",
      'server/db/runsDomain.ts': "import { a } from '../domain/a';\nexport const r = a;\n",
    });
    expect(result.violations).toEqual(
      [
        'connectors-not-to-entry-points: connectors/x/web.ts → server/middleware/auth.ts',
        'db-domain-types-only: server/db/runsDomain.ts → server/domain/a.ts',
        'db-not-to-upper-layers: server/db/upper.ts → server/routes/inbox.routes.ts',
        'domain-no-cycles: server/domain/a.ts → server/domain/b.ts',
        'domain-not-to-entry-points: server/domain/job.ts → jobs/worker.ts',
        'domain-not-to-entry-points: server/domain/web.ts → server/middleware/auth.ts',
        'domain-not-to-entry-points: server/domain/web.ts → server/routes/inbox.routes.ts',
        'domain-not-to-http-or-queues: server/domain/queue.ts → npm:bullmq',
        'domain-not-to-redis-at-runtime: server/domain/redis.ts → npm:ioredis',
        'domain-only-connector-interface: server/domain/channel.ts → connectors/x/settings.ts',
        'routes-not-to-jobs: server/routes/queue.routes.ts → jobs/worker.ts',
      ].sort(),
    );
    expect(result.status).not.toBe(0);
  });
});
