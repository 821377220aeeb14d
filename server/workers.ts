/** The job workers of a worker process (ROLE=worker, or both halves in one process with ROLE=all). */
import { scheduleAlertSweep, startAlertWorker } from '../jobs/alertWorker';
import { scheduleReportMail, startReportMailWorker } from '../jobs/reportMail';
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
import { startChannelWatchers } from './domain/channels/polling/watchChannels';
import type { Services } from './services';

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
