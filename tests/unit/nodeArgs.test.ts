/** server/nodeArgs.cjs: how every launcher starts a role's Node process. */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ALLOCATOR_ENV, nodeArgs } from '../../server/nodeArgs.cjs';

const ROOT = path.resolve(__dirname, '../..');

describe('nodeArgs', () => {
  it('when a role is started with them, then TypeScript loads through the require hook alone (no ES-module loader thread)', () => {
    const script = "const { NotFound } = require('./server/errors.ts'); console.log(new NotFound('x').status, process.execArgv.slice(0, 2).join(' '))";
    const run = spawnSync(process.execPath, [...nodeArgs(), '-e', script], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...ALLOCATOR_ENV } });
    expect(run).toMatchObject({ status: 0, stderr: '' });
    expect(run.stdout.trim()).toBe('404 --require tsx/cjs');
  });
});
