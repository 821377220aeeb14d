/** server/nodeArgs.cjs: how every launcher starts a role's Node process. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ALLOCATOR_ENV, nodeArgs } from '../../server/nodeArgs.cjs';

const ROOT = path.resolve(__dirname, '../..');

/** Starts Node as a launcher would for `role` and has it report its heap limit and load a TypeScript module. */
function startAs(role: 'web' | 'worker' | 'all') {
  const script = "const { heap_size_limit } = require('v8').getHeapStatistics(); require('./server/errors.ts'); console.log(heap_size_limit)";
  const run = spawnSync(process.execPath, [...nodeArgs(role), '-e', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...ALLOCATOR_ENV } });
  return { status: run.status, heapLimitMb: Number(run.stdout.trim()) / 2 ** 20, stderr: run.stderr };
}

describe('nodeArgs', () => {
  it('when a web or worker process is started with them, then its V8 heap is capped well under 250 MB and TypeScript loads', () => {
    for (const role of ['web', 'worker'] as const) {
      const started = startAs(role);
      expect(started).toMatchObject({ status: 0, stderr: '' });
      // the old-space limit plus the young generation V8 adds to it
      expect(started.heapLimitMb).toBeGreaterThanOrEqual(160);
      expect(started.heapLimitMb).toBeLessThan(250);
    }
  });

  it('when one process runs both roles (npm start), then it gets more room than either alone', () => {
    expect(startAs('all').heapLimitMb).toBeGreaterThan(startAs('web').heapLimitMb);
  });
});
