/** Notifications for one user (today: @mentions in internal notes). */
import type { DbOrTx } from '../client';

export function insertNotification(db: DbOrTx, n: { userId: string; conversationId: string; messageId: string; actorName: string }) {
  return db
    .insertInto('notifications')
    .values({ ...n, kind: 'mention', readAt: null })
    .returning('id')
    .executeTakeFirstOrThrow();
}

export async function countUnread(db: DbOrTx, userId: string): Promise<number> {
  const row = await db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('userId', '=', userId)
    .where('readAt', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export function listNotifications(db: DbOrTx, userId: string, limit = 30) {
  return (
    db
      .selectFrom('notifications as n')
      .leftJoin('conversations as c', 'c.id', 'n.conversationId')
      .leftJoin('messages as m', 'm.id', 'n.messageId')
      .leftJoin('auditVerifications as v', 'v.id', 'n.auditVerificationId')
      // 021_monitoring: an alert notification shows its alert
      .leftJoin('alerts as a', 'a.id', 'n.alertId')
      .leftJoin('alertRules as r', 'r.id', 'a.ruleId')
      .select(['n.id', 'n.kind', 'n.conversationId', 'n.actorName', 'n.createdAt', 'n.readAt', 'c.caseNumber', 'm.text', 'v.brokenAtSeq', 'v.problem'])
      .select([
        'n.alertId',
        'r.kind as alertKind',
        'a.details as alertDetails',
        'a.link as alertLink',
        'a.occurrences as alertOccurrences',
        'a.state as alertState',
      ])
      .where('n.userId', '=', userId)
      .orderBy('n.createdAt', 'desc')
      .limit(limit)
      .execute()
  );
}

export function markAllRead(db: DbOrTx, userId: string) {
  return db.updateTable('notifications').set({ readAt: new Date() }).where('userId', '=', userId).where('readAt', 'is', null).execute();
}
