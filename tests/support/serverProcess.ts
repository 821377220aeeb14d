/**
 * A real server process (server/main.ts, started as in production: server/nodeArgs.cjs) against this
 * file's database and Redis prefix: a worker (ROLE=worker) a test can kill with SIGKILL in the middle of
 * a job, or a web process (ROLE=web) of its own, as a second machine would run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ALLOCATOR_ENV, nodeArgs } from '../../server/nodeArgs.cjs';

const ROOT = path.join(__dirname, '..', '..');

export type ServerProcess = {
  child: ChildProcess;
  /** A web process's address (http://127.0.0.1:port); empty for a worker. */
  url: string;
  /** Everything it wrote (pino JSON lines on stdout, anything on stderr). */
  output(): string;
  /** SIGKILL: no shutdown hooks, no lock released, the job it was running stays "active" in Redis. */
  kill9(): Promise<void>;
  stop(): Promise<void>;
};

export type WorkerProcess = ServerProcess;

export const startWorkerProcess = (env: Record<string, string> = {}, readyTimeoutMs = 30_000) => startServerProcess('worker', env, readyTimeoutMs);

export const startWebProcess = (env: Record<string, string> = {}, readyTimeoutMs = 30_000) =>
  startServerProcess('web', { PORT: '0', BASE_URL: 'http://127.0.0.1:0', ...env }, readyTimeoutMs);

const READY = { worker: /"msg":"workers started"/, web: /Replyline is running at (http:\/\/\S+)/ };

async function startServerProcess(role: 'web' | 'worker', env: Record<string, string>, readyTimeoutMs: number): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...nodeArgs(role), 'server/main.ts'], {
    cwd: ROOT,
    env: { ...ALLOCATOR_ENV, ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', ...env, ROLE: role },
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
  let ready: RegExpExecArray | null;
  while (!(ready = READY[role].exec(output))) {
    if (child.exitCode !== null) throw new Error(`the ${role} process exited (${child.exitCode}) before it was ready:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the ${role} process was not ready within ${readyTimeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    url: ready[1] ?? '',
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
