/**
 * The built-in SESSION_SECRET and ENCRYPTION_KEY are public (they are in the source): the server runs on
 * them only for the demo. Through the real entry point (server/main.ts, started as a web process is: server/nodeArgs.cjs).
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { makeUser } from '../factories/factories';
import { createDb, createPool, type Db } from '../../server/db/client';
import { systemActor } from '../../server/domain/audit/actor';
import { createUser } from '../../server/domain/users/createUser';
import { DEMO_LOGINS } from '../../server/demo/demoLogins';
import { ALLOCATOR_ENV, nodeArgs } from '../../server/nodeArgs.cjs';

const ROOT = path.join(__dirname, '..', '..');

/** Starts the web role on port 0; stops it once it listens. started: it got that far; code: its exit code otherwise. */
function startServer(env: Record<string, string>): Promise<{ started: boolean; code: number | null; output: string }> {
  const { SESSION_SECRET: _s, ENCRYPTION_KEY: _e, ...inherited } = process.env;
  const child = spawn(process.execPath, [...nodeArgs('web'), 'server/main.ts'], {
    cwd: ROOT,
    env: { ...ALLOCATOR_ENV, ...inherited, ROLE: 'web', PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let started = false;
  const seen = (chunk: Buffer) => {
    output += String(chunk);
    if (!started && output.includes('Replyline is running at')) {
      started = true;
      child.kill('SIGTERM');
    }
  };
  child.stdout!.on('data', seen);
  child.stderr!.on('data', seen);
  return new Promise((resolve) => child.once('exit', (code) => resolve({ started, code: started ? null : code, output })));
}

let db: Db;
beforeAll(() => {
  db = createDb(createPool(process.env.DATABASE_URL!, 2));
});
afterAll(() => db.destroy());

it('when the database holds only the demo logins, then the server starts on the built-in keys and says they are for the demo only', async () => {
  for (const login of DEMO_LOGINS) await db.transaction().execute((tx) => createUser(tx, login, systemActor('test')));
  const { started, output } = await startServer({ NODE_ENV: 'development' });
  expect(started).toBe(true);
  expect(output).toContain('built-in SESSION_SECRET and ENCRYPTION_KEY');
}, 60_000);

it('when the database has a user besides the demo logins and the keys are not set, then the server refuses to start and names both variables', async () => {
  await makeUser(db, { email: 'real.person@example.com' });
  const { started, code, output } = await startServer({ NODE_ENV: 'development' });
  expect(started).toBe(false);
  expect(code).toBe(1);
  expect(output).toContain('Replyline could not start: SESSION_SECRET and ENCRYPTION_KEY are not set');
  expect(output).toContain('not only the demo');
  expect(output).not.toContain('Replyline is running at');

  const onlyOne = await startServer({ NODE_ENV: 'development', SESSION_SECRET: 'a-real-session-secret-0123456789' });
  expect(onlyOne).toMatchObject({ started: false, code: 1 });
  expect(onlyOne.output).toContain('Replyline could not start: ENCRYPTION_KEY is not set');
}, 60_000);

it('when the database has real users and both keys are set, then the server starts', async () => {
  const { started, output } = await startServer({
    NODE_ENV: 'development',
    SESSION_SECRET: 'a-real-session-secret-0123456789',
    ENCRYPTION_KEY: 'a-real-encryption-key-0123456789',
  });
  expect(started).toBe(true);
  expect(output).not.toContain('built-in');
}, 60_000);
