/**
 * The callback report (issue #19 point 6): over the callback requests made in the range, how many were
 * requested and how many reached the customer, of those how many by their due time; over the call attempts
 * made in the range, the missed calls ("not reached") and the wrong numbers. % reached within target =
 * requests reached by their due time / requests (null without requests): a request never reached counts as
 * missed.
 */
import type { Db } from '../../db/client';
import { callbackCounts } from '../../db/repositories/callbacks.repo';
import { readReport } from '../../db/repositories/reports.repo';

export async function buildCallbackReport(db: Db, q: { from: Date; to: Date; fromDate: string; toDate: string; timeZone: string }) {
  const n = await readReport(db, (tx) => callbackCounts(tx, q.from, q.to));
  return {
    from: q.from.toISOString(),
    to: q.to.toISOString(),
    timeZone: q.timeZone,
    requested: n.requested,
    reached: n.reached,
    notReachedAttempts: n.notReached,
    wrongNumbers: n.wrongNumbers,
    reachedWithinTarget: n.reachedInTime,
    reachedWithinTargetPercent: n.requested > 0 ? Math.round((n.reachedInTime / n.requested) * 1000) / 10 : null,
  };
}
