/** server/nodeArgs.cjs: how every launcher starts a role's Node process. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ALLOCATOR_ENV, nodeArgs } from '../../server/nodeArgs.cjs';

const ROOT = path.resolve(__dirname, '../..');

/** Runs `script` in a Node process started with the role's arguments (and `extra`); its output, trimmed. */
const runAs = (role: 'web' | 'worker' | 'all', script: string, extra: string[] = []) => runWith([...nodeArgs(role), ...extra], script);

function runWith(args: string[], script: string) {
  const run = spawnSync(process.execPath, [...args, '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...ALLOCATOR_ENV },
  });
  expect(run).toMatchObject({ status: 0, stderr: '' });
  return run.stdout.trim();
}

/** Keeps 200 000 small objects alive at a time (so some survive each young collection), then names the young generation's size in MB. */
const YOUNG_GENERATION_UNDER_LOAD = `
  const v8 = require('node:v8');
  let kept = [];
  for (let i = 0; i < 3e6; i++) { kept.push({ i, s: 'x' + i }); if (kept.length > 2e5) kept = []; }
  console.log(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 1048576);`;

/**
 * Keeps about 30 MB alive while objects that live long enough to be promoted keep turning into old-space garbage,
 * then names the old space's largest size in MB.
 */
const OLD_SPACE_UNDER_LOAD = `
  const v8 = require('node:v8');
  const live = [];
  for (let i = 0; i < 2e5; i++) live.push({ i, s: 'live' + i, a: [i, i + 1] });
  const ring = new Array(1e5);
  let peak = 0;
  for (let i = 0; i < 3e6; i++) {
    ring[i % ring.length] = { i, s: 'g' + i, a: [i] };
    if (i % 5e4 === 0) peak = Math.max(peak, v8.getHeapSpaceStatistics().find((s) => s.space_name === 'old_space').space_size);
  }
  console.log(Math.round(peak / 1048576), live.length > 0);`;

describe('nodeArgs', () => {
  it.each(['web', 'worker', 'all'] as const)(
    'when a process of the role %s is started with them, then TypeScript loads through the require hook alone (no ES-module loader thread)',
    (role) => {
      const script = "const { NotFound } = require('./server/errors.ts'); console.log(new NotFound('x').status, process.execArgv.slice(0, 2).join(' '))";
      expect(runAs(role, script)).toBe('404 --require tsx/cjs');
    },
  );

  // Without the flags, V8 on a machine with a few GB of memory grows this young generation to 32 MB.
  it('when a worker process allocates, then its young generation stays at 16 MB', () => {
    expect(Number(runAs('worker', YOUNG_GENERATION_UNDER_LOAD))).toBeLessThanOrEqual(16);
  });

  // V8 lets the old space grow up to four times what survived only when its limit is 2 GB or more (Node sets it from
  // the machine's memory), so both runs get a 4 GB limit: the same on any machine. Without the growth flag this old
  // space reaches about 200 MB; grown by half of what survived it stays near 75 MB.
  it('when a worker process keeps promoting garbage, then its old space grows by half of what survived, not up to four times', () => {
    const limit = ['--max-old-space-size=4096'];
    const withoutGrowthFlag = nodeArgs('worker').filter((a) => !a.startsWith('--heap-growing-percent'));
    expect(Number(runWith([...withoutGrowthFlag, ...limit], OLD_SPACE_UNDER_LOAD).split(' ')[0])).toBeGreaterThan(150); // the load does grow a process without the flag
    expect(Number(runAs('worker', OLD_SPACE_UNDER_LOAD, limit).split(' ')[0])).toBeLessThanOrEqual(120);
  });

  it('when a web process or npm start (all) is started, then it gets no heap flags (its collections would land on the pages)', () => {
    expect(nodeArgs('web')).toEqual(['--require', 'tsx/cjs']);
    expect(nodeArgs('all')).toEqual(['--require', 'tsx/cjs']);
  });
});
