/** Entry point: ROLE=web|worker|all starts the HTTP server, the workers, or both in one process; WEB_CONCURRENCY forks more web processes. */
import { scheduleAlertSweep, startAlertWorker } from '../jobs/alertWorker';
import { scheduleReportMail, startReportMailWorker } from '../jobs/reportMail';
import type { Server } from 'node:http';
import { startOutboundWorker } from '../jobs/outboundWorker';
import { reconcileJobs } from '../jobs/reconcile';
import { scheduleSlaSweep, startSlaWorker } from '../jobs/slaTimers';
import { startReminderWorker } from '../jobs/reminderWorker';
import { startTaskTimerWorker } from '../jobs/taskTimers';
import { startWebhookInboxWorker } from '../jobs/webhookInboxWorker';
import { scheduleReportFold, startReportFoldWorker } from '../jobs/reportFold';
import { startPollWorker } from '../jobs/pollChannel';
import { scheduleAuditVerification, startAuditVerificationWorker } from '../jobs/auditVerification';
import { scheduleRoutingSweep, startRoutingWorker } from '../jobs/routingWorker';
import { scheduleRetention, startRetentionWorker } from '../jobs/retention';
import { scheduleChatInactivity, startChatInactivityWorker } from '../jobs/chatInactivity';
import { createApp } from './app';
import { loadConfig } from './config';
import { refuseBuiltInKeysBeyondDemo } from './keysGuard';
import { startChannelWatchers } from './domain/channels/polling/watchChannels';
import { createServices, type Services } from './services';
import { forkWebProcesses, isForkedWebProcess } from './webProcesses';

const RECONCILE_RETRY_MS = 3_000;

export async function startWorkers(services: Services) {
  const { db, dispatcher, secretBox, redis, config, logger, queues, polls, connectors } = services;
  const workerConnection = redis.duplicate({ maxRetriesPerRequest: null });
  const worker = startOutboundWorker({ db, dispatcher, secretBox, connectors }, workerConnection, config.redisPrefix, logger, { lockMs: config.workerLockMs });
  const slaWorker = startSlaWorker({ db, dispatcher }, workerConnection, config.redisPrefix, logger);
  const reminderWorker = startReminderWorker({ db, dispatcher }, workerConnection, config.redisPrefix, logger);
  const taskTimerWorker = startTaskTimerWorker({ db, dispatcher }, workerConnection, config.redisPrefix, logger);
  const webhookWorker = startWebhookInboxWorker({ db, dispatcher, logger, connectors, config }, workerConnection, config.redisPrefix, logger);
  const pollWorker = startPollWorker({ db, dispatcher, secretBox, logger, connectors, config }, workerConnection, config.redisPrefix, polls);
  const watchers = startChannelWatchers({ db, secretBox, logger, connectors, pollNow: (id) => polls.pollNow(id) });
  // A reconcile that fails (the database is away too, e.g. the whole host restarted) tries again until it
  // succeeds: Redis may have come back empty, and it will not reconnect again to trigger another one.
  let retry: NodeJS.Timeout | null = null;
  let closed = false;
  const reportFoldWorker = startReportFoldWorker(db, workerConnection, config.redisPrefix, logger);
  const auditWorker = startAuditVerificationWorker({ db, dispatcher }, workerConnection, config.redisPrefix, logger);
  const routingWorker = startRoutingWorker({ db, dispatcher, settings: config.routing }, workerConnection, config.redisPrefix, logger);
  const alertWorker = startAlertWorker({ db, dispatcher, secretBox, baseUrl: config.baseUrl }, workerConnection, config.redisPrefix, logger);
  const retentionWorker = startRetentionWorker(db, workerConnection, config.redisPrefix, logger);
  const reportMailWorker = startReportMailWorker({ db, secretBox, baseUrl: config.baseUrl }, workerConnection, config.redisPrefix, logger);
  const chatInactivityWorker = startChatInactivityWorker({ db, dispatcher }, workerConnection, config.redisPrefix, logger);
  const reconcile = (): Promise<void> =>
    // the SLA timers first: they need nothing else the reconciler does
    scheduleSlaSweep(queues)
      .then(() => reconcileJobs(db, (jobs) => queues.enqueueBulk(jobs), { scheduler: polls, connectors }))
      .then(async (r) => {
        await scheduleReportFold(queues);
        await scheduleAuditVerification(queues);
        await scheduleRoutingSweep(queues);
        await scheduleRetention(queues);
        await scheduleAlertSweep(queues);
        await scheduleReportMail(queues);
        await scheduleChatInactivity(queues);
        logger.info(r, 'reconciled jobs from the database');
      })
      .catch((err: Error) => {
        logger.warn({ err: err.message, retryInMs: RECONCILE_RETRY_MS }, 'reconcile failed; trying again');
        if (!closed)
          retry ??= setTimeout(() => {
            retry = null;
            void reconcile();
          }, RECONCILE_RETRY_MS).unref();
      });
  await reconcile();
  redis.on('ready', reconcile);
  return {
    async close() {
      closed = true;
      redis.off('ready', reconcile);
      if (retry) clearTimeout(retry);
      await worker.close();
      await slaWorker.close();
      await reminderWorker.close();
      await taskTimerWorker.close();
      await webhookWorker.close();
      await pollWorker.close();
      await reportFoldWorker.close();
      await auditWorker.close();
      await routingWorker.close();
      await alertWorker.close();
      await retentionWorker.close();
      await reportMailWorker.close();
      await chatInactivityWorker.close();
      await watchers.close();
      workerConnection.disconnect();
    },
  };
}

export function listen(services: Services, port: number): Promise<Server> {
  const server = createApp(services).listen(port);
  return new Promise((resolve, reject) => {
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

async function main() {
  const config = loadConfig();
  const services = await createServices(config);
  const { logger } = services;
  const keys = await refuseBuiltInKeysBeyondDemo(config, services.db).catch(async (err: unknown) => {
    await services.close();
    throw err;
  });
  const stops: (() => Promise<unknown>)[] = [];
  if (config.role !== 'web') {
    const workers = await startWorkers(services);
    stops.push(workers.close);
    logger.info('workers started');
  }
  const running = (port: number) => {
    const url = config.baseUrl.replace(/:\d+$/, `:${port}`);
    process.stdout.write(`\nReplyline is running at ${url}\n${keys.warning ? `\n${keys.warning}\n` : ''}\n`);
  };
  if (config.role !== 'worker' && config.webConcurrency > 1 && !isForkedWebProcess()) {
    const web = await forkWebProcesses(config.webConcurrency, logger);
    stops.push(web.close);
    logger.info({ webProcesses: config.webConcurrency }, 'web processes started');
    running(web.port);
  } else if (config.role !== 'worker') {
    const server = await listen(services, config.port);
    stops.push(
      () =>
        new Promise((resolve) => {
          server.close(resolve);
          server.closeAllConnections(); // open SSE streams would otherwise hold the shutdown
        }),
    );
    const address = server.address();
    if (!isForkedWebProcess()) running(typeof address === 'object' && address ? address.port : config.port);
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
