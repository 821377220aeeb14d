/**
 * A real worker process (ROLE=worker, server/main.ts through tsx, as in production) against this file's
 * database and Redis prefix, so a test can kill it with SIGKILL in the middle of a job.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

export type WorkerProcess = {
  child: ChildProcess;
  /** Everything it wrote (pino JSON lines on stdout, anything on stderr). */
  output(): string;
  /** SIGKILL: no shutdown hooks, no lock released, the job it was running stays "active" in Redis. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
};

export async function startWorkerProcess(env: Record<string, string> = {}, readyTimeoutMs = 30_000): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', ...env, ROLE: 'worker' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c) => (output += String(c)));
  child.stderr!.on('data', (c) => (output += String(c)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const waitExit = async () => {
    if (child.exitCode === null && child.signalCode === null) await exited;
  };

  const deadline = Date.now() + readyTimeoutMs;
  while (!output.includes('"msg":"workers started"')) {
    if (child.exitCode !== null) throw new Error(`the worker process exited (${child.exitCode}) before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the worker process was not ready within ${readyTimeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    output: () => output,
    async kill9() {
      child.kill('SIGKILL');
      await waitExit();
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.kill('SIGTERM');
      await waitExit();
      clearTimeout(force);
    },
  };
}
