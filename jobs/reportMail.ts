/**
 * Scheduled report e-mails (server/domain/reports/reportMail.ts): every 15 minutes the job sends the
 * summaries that are due. A period is claimed before it is sent, so overlapping runs send it once.
 */
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { sendDueReportMails, type ReportMailDeps } from '../server/domain/reports/reportMail';
import { jobLogger, type Logger } from '../server/logger';
import { JOBS, parsePayload } from './definitions';
import type { Queues } from './queues';

const MAIL = JOBS['report-mail'];
export const REPORT_MAIL_EVERY_MS = 15 * 60_000;

/** (Re)creates the schedule; called on worker start and after every Redis reconnect (Redis may come back empty). */
export async function scheduleReportMail(queues: Queues, everyMs = REPORT_MAIL_EVERY_MS): Promise<void> {
  await queues.scheduleEvery('report-mail', everyMs);
}

export function startReportMailWorker(deps: ReportMailDeps, connection: Redis, prefix: string, logger: Logger): Worker {
  const worker = new Worker(
    MAIL.queue,
    async (job: Job) => {
      parsePayload('report-mail', job.data);
      const r = await sendDueReportMails(deps, new Date());
      if (r.failed) jobLogger(logger, job).warn(r, 'some report e-mails could not be sent; the next run tries again');
      return r;
    },
    { connection, prefix, concurrency: 1 },
  );
  worker.on('failed', (job, err) => (job ? jobLogger(logger, job) : logger).warn({ err: err.message }, 'report e-mails failed; the next run tries again'));
  worker.on('error', (err) => logger.error({ err: err.message }, 'report mail worker error'));
  return worker;
}
