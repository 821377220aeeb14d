/**
 * Each role loads only its half (server/main.ts): a worker process never loads the console, a web process
 * neither the job workers nor the mail and X libraries until a mail is sent, a mailbox opened or X called.
 * What a process holds after a full collection sets how far V8 lets its heap grow (README, Benchmarks →
 * Memory), so a static import that brings them back is a regression this test names. Real processes,
 * started as in production (tests/support/serverProcess.ts).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startWebProcess, startWorkerProcess } from '../support/serverProcess';

jest.setTimeout(60_000);

const dir = mkdtempSync(path.join(tmpdir(), 'replyline-modules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The files a role's process had loaded when it stopped, relative to the checkout (node_modules/<package>/… for libraries). */
async function filesLoadedBy(role: 'web' | 'worker'): Promise<string[]> {
  const file = path.join(dir, role);
  const env = {
    DATABASE_URL: process.env.DATABASE_URL!,
    REDIS_PREFIX: process.env.REDIS_PREFIX!,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${JSON.stringify(path.join(__dirname, '..', 'support', 'loadedModules.js'))}`,
    LOADED_MODULES_FILE: file,
    WEB_CONCURRENCY: '1', // one process, the one that serves
  };
  const server = role === 'web' ? await startWebProcess(env) : await startWorkerProcess(env);
  await server.stop();
  if (!existsSync(file)) throw new Error(`the ${role} process wrote no list of its files (stopped by SIGKILL?):\n${server.output()}`);
  const root = path.join(__dirname, '..', '..') + path.sep;
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((f) => f.replace(root, ''));
}

const libraries = (files: string[]) => new Set(files.flatMap((f) => /^node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1] ?? []));

test('a web process loads the console, not the job workers or the mail and X libraries', async () => {
  const files = await filesLoadedBy('web');
  expect(files).toContain('server/app.ts');
  expect(files).not.toContain('server/workers.ts');
  const loaded = libraries(files);
  expect(loaded).toContain('express');
  for (const library of ['nodemailer', 'imapflow', 'mailparser', 'sanitize-html', 'twitter-api-v2']) expect(loaded).not.toContain(library);
});

test('a worker process loads the job workers, not the console', async () => {
  const files = await filesLoadedBy('worker');
  expect(files).toContain('server/workers.ts');
  expect(files).toContain('jobs/outboundWorker.ts');
  expect(files.filter((f) => f === 'server/app.ts' || f.startsWith('server/routes/') || f === 'server/viewEngine.ts')).toEqual([]);
  const loaded = libraries(files);
  expect(loaded).toContain('bullmq');
  for (const web of ['express', 'express-session', 'helmet', 'ejs']) expect(loaded).not.toContain(web);
});
