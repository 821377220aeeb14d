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
import { listDueTimers, type TimerCursor } from '../server/db/repositories/sla.repo';
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
 * Per-process memory of posts whose firing failed: each is tried again after 1 s, 2 s, 4 s … at most 5 minutes,
 * so one that keeps failing neither floods the log nor costs every sweep. Entries not seen for a while (the post
 * was answered or fired elsewhere) are forgotten.
 */
export function failureBackoff(maxMs = 300_000) {
  const failing = new Map<string, { failures: number; until: number }>();
  return {
    waiting: (id: string, now: Date) => (failing.get(id)?.until ?? 0) > now.getTime(),
    failed(id: string, now: Date): number {
      const failures = (failing.get(id)?.failures ?? 0) + 1;
      const wait = Math.min(maxMs, SLA_SWEEP_EVERY_MS * 2 ** Math.min(failures - 1, 20));
      failing.set(id, { failures, until: now.getTime() + wait });
      return wait;
    },
    succeeded: (id: string) => void failing.delete(id),
    forgetStale(now: Date): void {
      for (const [id, f] of failing) if (f.until < now.getTime() - 2 * maxMs) failing.delete(id);
    },
  };
}
type FailureBackoff = ReturnType<typeof failureBackoff>;

type SweepOptions = { logger?: Logger; backoff?: FailureBackoff; pageSize?: number };

/**
 * One sweep: every timer due by now, page by page after the last post of the page before (at most MAX_PAGES);
 * returns how many fired and how many firings failed. A firing that fails is logged and left for a later run
 * (after its backoff, if one is given); the warning and the breach are tried apart, so a failing warning never
 * holds up the breach, and the pages move on past failing posts, so they never hold up the posts behind them.
 */
export async function sweepSlaTimers(deps: SlaTimerDeps, opts: SweepOptions = {}): Promise<{ warnings: number; breaches: number; failed: number }> {
  const counts = { warnings: 0, breaches: 0, failed: 0 };
  const { logger, backoff, pageSize = PAGE } = opts;
  const fire = async (name: SlaTimerName, id: string, now: Date) => {
    try {
      if ((await fireSlaTimer(deps, name, id)) === 'fired') counts[name === 'warning' ? 'warnings' : 'breaches']++;
      return true;
    } catch (err) {
      counts.failed++;
      const retryInMs = backoff?.failed(id, now);
      logger?.error({ err: (err as Error).message, messageId: id, timer: name, retryInMs }, 'sla timer failed; a later sweep tries again');
      return false;
    }
  };
  backoff?.forgetStale(deps.now?.() ?? new Date());
  let after: TimerCursor | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const now = deps.now?.() ?? new Date();
    const due = await listDueTimers(deps.db, now, pageSize, after);
    for (const post of due) {
      if (backoff?.waiting(post.id, now)) continue;
      // a post whose warning and due time have both passed (a backlog) is warned, then breached
      const warned = post.slaState === 'ok' && post.slaWarnAt && post.slaWarnAt <= now ? await fire('warning', post.id, now) : true;
      const breached = post.slaDueAt! <= now ? await fire('breach', post.id, now) : true;
      if (warned && breached) backoff?.succeeded(post.id);
    }
    if (due.length < pageSize) break;
    const last = due[due.length - 1]!;
    after = { nextAt: last.nextAt, id: last.id };
  }
  return counts;
}

export async function scheduleSlaSweep(queues: Queues, everyMs = SLA_SWEEP_EVERY_MS): Promise<void> {
  await queues.scheduleEvery('sla-sweep', everyMs);
}

export function startSlaWorker(deps: SlaTimerDeps, connection: Redis, prefix: string, logger: Logger): Worker {
  const backoff = failureBackoff();
  const worker = new Worker(
    SWEEP.queue,
    async (job: Job) => {
      parsePayload('sla-sweep', job.data);
      const counts = await sweepSlaTimers(deps, { logger: jobLogger(logger, job), backoff });
      if (counts.warnings || counts.breaches) jobLogger(logger, job).debug(counts, 'sla timers fired');
      return counts;
    },
    { connection, prefix, concurrency: 1 },
  );
  worker.on('failed', (job, err) => (job ? jobLogger(logger, job) : logger).warn({ err: err.message }, 'sla sweep failed; the next run tries again'));
  worker.on('error', (err) => logger.error({ err: err.message }, 'sla worker error'));
  return worker;
}
