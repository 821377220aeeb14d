/**
 * SLA warn/breach timers: a sweep over the database, a job scheduler every SLA_SWEEP_EVERY_MS. Each run fires the
 * running clocks whose next instant has come (the warning while a post is 'ok', the breach at its due time), the
 * oldest first, in pages. A post's row is the timer: ingest, a pause, a resume, a moved callback or a reply only
 * write its clock, and nothing per post goes to Redis. The firing is idempotent (the post's row decides, under a
 * row lock), so two sweeps at once (two workers) fire nothing twice, and Redis coming back empty only needs the
 * schedule re-created (on worker start and every reconnect).
 */
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Db } from '../server/db/client';
import { listDueTimers } from '../server/db/repositories/sla.repo';
import { inTransaction, type Dispatcher } from '../server/domain/effects';
import { fireSlaBreach, fireSlaWarning, type TimerOutcome } from '../server/domain/sla/timers';
import { jobLogger, type Logger } from '../server/logger';
import { JOBS, parsePayload } from './definitions';
import type { Queues } from './queues';

const SWEEP = JOBS['sla-sweep'];
/** How late a timer may fire at most, give or take the sweep's own run time. */
export const SLA_SWEEP_EVERY_MS = 1_000;
/** Posts fired per page, and pages per run (a backlog, e.g. after the workers were away, is worked off over several runs). */
const PAGE = 200;
const MAX_PAGES = 10;

export type SlaTimerDeps = { db: Db; dispatcher: Dispatcher; now?: () => Date };
export type SlaTimerName = 'warning' | 'breach';

/** Fires one timer of one post, in its own transaction (skipped if the row says it is not owed). */
export function fireSlaTimer(deps: SlaTimerDeps, name: SlaTimerName, messageId: string): Promise<TimerOutcome> {
  const now = deps.now?.() ?? new Date();
  const fire = name === 'warning' ? fireSlaWarning : fireSlaBreach;
  return inTransaction(deps.db, deps.dispatcher, (tx, effects) => fire(tx, effects, messageId, now));
}

/**
 * One sweep: every timer due by now, page by page (at most MAX_PAGES); returns how many fired and failed. A post whose
 * firing fails is logged and left for the next run; it never holds up the posts behind it.
 */
export async function sweepSlaTimers(deps: SlaTimerDeps, logger?: Logger): Promise<{ warnings: number; breaches: number; failed: number }> {
  const counts = { warnings: 0, breaches: 0, failed: 0 };
  for (let page = 0; page < MAX_PAGES; page++) {
    const now = deps.now?.() ?? new Date();
    const due = await listDueTimers(deps.db, now, PAGE);
    for (const post of due) {
      try {
        // a post whose warning and due time have both passed (a backlog) is warned, then breached
        if (post.slaState === 'ok' && post.slaWarnAt && post.slaWarnAt <= now && (await fireSlaTimer(deps, 'warning', post.id)) === 'fired') counts.warnings++;
        if (post.slaDueAt! <= now && (await fireSlaTimer(deps, 'breach', post.id)) === 'fired') counts.breaches++;
      } catch (err) {
        counts.failed++;
        logger?.error({ err: (err as Error).message, messageId: post.id }, 'sla timer failed; the next sweep tries again');
      }
    }
    if (due.length < PAGE) break;
  }
  return counts;
}

export async function scheduleSlaSweep(queues: Queues, everyMs = SLA_SWEEP_EVERY_MS): Promise<void> {
  await queues
    .queue(SWEEP.queue)
    .upsertJobScheduler(
      'sla-sweep',
      { every: everyMs },
      { name: 'sla-sweep', data: {}, opts: { attempts: SWEEP.retry.attempts, removeOnComplete: true, removeOnFail: 100 } },
    );
}

export function startSlaWorker(deps: SlaTimerDeps, connection: Redis, prefix: string, logger: Logger): Worker {
  const worker = new Worker(
    SWEEP.queue,
    async (job: Job) => {
      parsePayload('sla-sweep', job.data);
      const counts = await sweepSlaTimers(deps, jobLogger(logger, job));
      if (counts.warnings || counts.breaches) jobLogger(logger, job).debug(counts, 'sla timers fired');
      return counts;
    },
    { connection, prefix, concurrency: 1 },
  );
  worker.on('failed', (job, err) => (job ? jobLogger(logger, job) : logger).warn({ err: err.message }, 'sla sweep failed; the next run tries again'));
  worker.on('error', (err) => logger.error({ err: err.message }, 'sla worker error'));
  return worker;
}
