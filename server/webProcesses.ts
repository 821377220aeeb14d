/**
 * WEB_CONCURRENCY > 1: the first process forks that many web processes (node:cluster). They share the
 * port, the operating system hands each new connection to one of them, and any of them can serve any
 * request: sessions live in PostgreSQL, live events reach every process through Redis pub/sub, locks
 * and limits are in the database or Redis. A web process that dies is started again after a pause.
 * Each is started as every web process is (server/nodeArgs.cjs), whatever flags the first one had.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';
import { ALLOCATOR_ENV, nodeArgs } from './nodeArgs.cjs';

const RESTART_AFTER_MS = 1_000;

export type WebProcesses = { port: number; close(): Promise<void> };

/** True in a process that cluster forked to serve HTTP. */
export const isForkedWebProcess = () => cluster.isWorker;

export function forkWebProcesses(count: number, logger: Logger): Promise<WebProcesses> {
  let closing = false;
  const workers = new Set<Worker>();
  cluster.setupPrimary({ execArgv: nodeArgs('web') });
  const fork = () => {
    const worker = cluster.fork({ ...ALLOCATOR_ENV, ROLE: 'web' });
    workers.add(worker);
    worker.once('exit', (code, signal) => {
      workers.delete(worker);
      if (closing) return;
      logger.error({ pid: worker.process.pid, code, signal }, 'a web process stopped; starting another');
      setTimeout(() => closing || fork(), RESTART_AFTER_MS).unref();
    });
    return worker;
  };
  const started = Array.from({ length: count }, fork);
  const listening = started.map(
    (worker) =>
      new Promise<number>((resolve, reject) => {
        worker.once('listening', (address) => resolve(address.port));
        worker.once('exit', (code) => reject(new Error(`a web process exited (${code}) before it listened`)));
      }),
  );
  return Promise.all(listening).then((ports) => ({
    port: ports[0]!,
    close: async () => {
      closing = true;
      await Promise.all(
        [...workers].map(
          (worker) =>
            new Promise<void>((resolve) => {
              if (worker.isDead()) return resolve();
              worker.once('exit', () => resolve());
              worker.process.kill('SIGTERM');
            }),
        ),
      );
    },
  }));
}
