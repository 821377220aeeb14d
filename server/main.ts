/** Entry point: ROLE=web|worker|all starts the HTTP server, the workers, or both in one process; WEB_CONCURRENCY forks more web processes. */
import { loadConfig } from './config';
import { refuseBuiltInKeysBeyondDemo } from './keysGuard';
import { createServices } from './services';
import { forkWebProcesses, isForkedWebProcess } from './webProcesses';

/*
 * Each role loads only its own half: a worker process never loads the console (Express, the routes, the
 * views: about 10 MB of heap), and a web process not the job workers. What a process holds after a full
 * collection sets how far V8 lets its heap grow before the next one (README, Benchmarks → Memory).
 */
const webHalf = (): typeof import('./app') => require('./app');
const workerHalf = (): typeof import('./workers') => require('./workers');

async function main() {
  const config = loadConfig();
  const forksWebProcesses = config.role !== 'worker' && config.webConcurrency > 1 && !isForkedWebProcess();
  // loaded before anything connects: a half that cannot load stops the process before it takes any work
  const workers = config.role !== 'web' ? workerHalf() : null;
  const web = config.role !== 'worker' && !forksWebProcesses ? webHalf() : null;
  const services = await createServices(config);
  const { logger } = services;
  const keys = await refuseBuiltInKeysBeyondDemo(config, services.db).catch(async (err: unknown) => {
    await services.close();
    throw err;
  });
  const stops: (() => Promise<unknown>)[] = [];
  // The web half listens before the workers start: with ROLE=all the demo channels' first polls go to the
  // console's own stand-ins, which would otherwise refuse them and the poll would wait out its back-off.
  let port: number | null = null;
  if (forksWebProcesses) {
    const forks = await forkWebProcesses(config.webConcurrency, logger);
    stops.push(forks.close);
    logger.info({ webProcesses: config.webConcurrency }, 'web processes started');
    port = forks.port;
  } else if (web) {
    const server = await web.listen(services, config.port);
    stops.push(
      () =>
        new Promise((resolve) => {
          server.close(resolve);
          server.closeAllConnections(); // open SSE streams would otherwise hold the shutdown
        }),
    );
    const address = server.address();
    if (!isForkedWebProcess()) port = typeof address === 'object' && address ? address.port : config.port;
  }
  if (workers) {
    const started = await workers.startWorkers(services);
    stops.unshift(started.close); // on shutdown the workers stop first
    logger.info('workers started');
  }
  if (port !== null) {
    const url = config.baseUrl.replace(/:\d+$/, `:${port}`);
    process.stdout.write(`\nReplyline is running at ${url}\n${keys.warning ? `\n${keys.warning}\n` : ''}\n`);
  }
  const shutdown = async () => {
    for (const stop of stops) await stop().catch(() => undefined);
    await services.close();
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`Replyline could not start: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
