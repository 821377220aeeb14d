/** Runs the web and worker roles as separate processes (as in production) and reads their peak RSS; the bench's own database and ports. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { ensureDatabase, migrate } from '../server/db/migrate';
import { ALLOCATOR_ENV, nodeArgs } from '../server/nodeArgs.cjs';

const ROOT = path.join(__dirname, '..');

export type RoleProcess = {
  role: 'web' | 'worker';
  child: ChildProcess;
  peakRssMb(): number;
  /** With WEB_CONCURRENCY > 1: the largest peak RSS among the web processes it forked. */
  forkedPeakRssMb(): number;
  stop(): Promise<void>;
};

function peakRssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

export function startRole(role: 'web' | 'worker', env: Record<string, string>): RoleProcess {
  // Node itself, started as every launcher starts a role (the tsx CLI would add a parent process).
  const child = spawn(process.execPath, [...nodeArgs(role), 'server/main.ts'], {
    cwd: ROOT,
    env: { ...ALLOCATOR_ENV, ...process.env, ...env, ROLE: role, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return {
    role,
    child,
    peakRssMb: () => peakRssOf(child.pid!),
    forkedPeakRssMb() {
      const forked = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      return Math.max(0, ...forked.map((pid) => peakRssOf(Number(pid))));
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

export async function waitForHealth(baseUrl: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await fetch(`${baseUrl}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${baseUrl} did not become healthy`);
}

/** Signs in through the real form (CSRF token included) and returns the session cookie. */
export async function signIn(baseUrl: string, email: string, password: string): Promise<string> {
  const page = await fetch(`${baseUrl}/login`);
  const cookie = (page.headers.getSetCookie()[0] ?? '').split(';')[0]!;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1] ?? '';
  const res = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ _csrf: csrf, email, password }).toString(),
  });
  const session = (res.headers.getSetCookie()[0] ?? '').split(';')[0];
  if (res.status !== 302 || !session) throw new Error(`sign-in failed: HTTP ${res.status}`);
  return session;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Drops the bench database named by `url` (through the admin connection) and creates it again, migrated. */
export async function freshDatabase(adminUrl: string, url: string) {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${new URL(url).pathname.slice(1)}" WITH (FORCE)`);
  await admin.end();
  await ensureDatabase(url);
  await migrate(url);
}
