/**
 * Verifies the audit chain on a schedule (incremental, from the last checkpoint; see
 * server/domain/audit/verifyAuditTrail.ts). Overlapping runs are harmless: each records what it found.
 */
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Db } from '../server/db/client';
import { verifyAuditTrail } from '../server/domain/audit/verifyAuditTrail';
import type { Dispatcher } from '../server/domain/effects';
import { jobLogger, type Logger } from '../server/logger';
import { JOBS, parsePayload } from './definitions';
import type { Queues } from './queues';

const VERIFY = JOBS['audit-verify'];
const AUDIT_VERIFY_EVERY_MS = 5 * 60_000;

/** (Re)creates the schedule; called on worker start and after every Redis reconnect (Redis may come back empty). */
export async function scheduleAuditVerification(queues: Queues, everyMs = AUDIT_VERIFY_EVERY_MS): Promise<void> {
  await queues.scheduleEvery('audit-verify', everyMs);
}

export function startAuditVerificationWorker(deps: { db: Db; dispatcher: Dispatcher }, connection: Redis, prefix: string, logger: Logger): Worker {
  const worker = new Worker(
    VERIFY.queue,
    async (job: Job) => {
      parsePayload('audit-verify', job.data);
      const v = await verifyAuditTrail(deps.db, deps.dispatcher, { mode: 'incremental', trigger: 'schedule' });
      if (!v.ok) jobLogger(logger, job).error({ brokenAtSeq: v.brokenAtSeq, problem: v.problem }, 'audit chain broken');
      return { ok: v.ok, throughSeq: v.throughSeq };
    },
    { connection, prefix, concurrency: 1 },
  );
  worker.on('failed', (job, err) => (job ? jobLogger(logger, job) : logger).warn({ err: err.message }, 'audit verification failed; the next run tries again'));
  worker.on('error', (err) => logger.error({ err: err.message }, 'audit verification worker error'));
  return worker;
}
