/** Scheduled report e-mails: who subscribed to which summary, and the period each last got. */
import type { DbOrTx, Tx } from '../client';
import type { ReportFrequency } from '../schema';

const COLUMNS = ['id', 'userId', 'frequency', 'timeZone', 'sendHour', 'lastPeriod', 'lastError', 'createdAt'] as const;

export function upsertReportSubscription(tx: Tx, s: { userId: string; frequency: ReportFrequency; timeZone: string; sendHour: number; lastPeriod: string }) {
  return tx
    .insertInto('reportSubscriptions')
    .values(s)
    .onConflict((oc) => oc.columns(['userId', 'frequency']).doUpdateSet({ timeZone: s.timeZone, sendHour: s.sendHour }))
    .returning([...COLUMNS])
    .executeTakeFirstOrThrow();
}

export function reportSubscriptionsOf(db: DbOrTx, userId: string) {
  return db
    .selectFrom('reportSubscriptions')
    .select([...COLUMNS])
    .where('userId', '=', userId)
    .orderBy('createdAt')
    .execute();
}

export function deleteReportSubscription(tx: Tx, id: string, userId: string) {
  return tx
    .deleteFrom('reportSubscriptions')
    .where('id', '=', id)
    .where('userId', '=', userId)
    .returning(['id', 'frequency', 'timeZone', 'sendHour'])
    .executeTakeFirst();
}

/** Every subscription with its subscriber's address and language, of those who may still read reports (a demoted subscriber gets none). */
export function allReportSubscriptions(db: DbOrTx) {
  return db
    .selectFrom('reportSubscriptions as s')
    .innerJoin('users as u', 'u.id', 's.userId')
    .select(['s.id', 's.frequency', 's.timeZone', 's.sendHour', 's.lastPeriod', 'u.email', 'u.locale'])
    .where('u.deactivatedAt', 'is', null)
    .where('u.role', 'in', ['manager', 'auditor', 'admin'])
    .orderBy('s.createdAt')
    .execute();
}

/** Takes a period for sending; only one claimer wins (a second run, or another worker, gets false). */
export async function claimReportPeriod(db: DbOrTx, id: string, previous: string | null, period: string): Promise<boolean> {
  const r = await db
    .updateTable('reportSubscriptions')
    .set({ lastPeriod: period, lastError: null })
    .where('id', '=', id)
    .where((eb) => (previous === null ? eb('lastPeriod', 'is', null) : eb('lastPeriod', '=', previous)))
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** A send that failed gives its period back (the next run tries again) and keeps the reason. */
export async function releaseReportPeriod(db: DbOrTx, id: string, period: string, previous: string | null, error: string) {
  await db
    .updateTable('reportSubscriptions')
    .set({ lastPeriod: previous, lastError: error.slice(0, 500) })
    .where('id', '=', id)
    .where('lastPeriod', '=', period)
    .execute();
}
