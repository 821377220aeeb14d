/** Notifications for one user: @mentions in internal notes, a reply an approver rejected (and alerts, audit breaks). */
import type { DbOrTx } from '../client';

export function insertNotification(
  db: DbOrTx,
  n: { userId: string; conversationId: string; messageId: string; actorName: string; kind?: 'mention' | 'reply_rejected' },
) {
  return db
    .insertInto('notifications')
    .values({ ...n, kind: n.kind ?? 'mention', readAt: null })
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
      // 025_reply_approval: a rejected reply's notification shows the approver's note
      .leftJoin('replyApprovals as ra', 'ra.messageId', 'n.messageId')
      // 024_case_tasks: an overdue task's notification names the task
      .leftJoin('conversationTasks as task', 'task.id', 'n.taskId')
      .select([
        'n.id',
        'n.kind',
        'n.conversationId',
        'n.actorName',
        'n.createdAt',
        'n.readAt',
        'c.caseNumber',
        'm.text',
        'v.brokenAtSeq',
        'v.problem',
        'ra.note as approvalNote',
      ])
      .select([
        'n.alertId',
        'r.kind as alertKind',
        'a.details as alertDetails',
        'a.link as alertLink',
        'a.occurrences as alertOccurrences',
        'a.state as alertState',
        'task.number as taskNumber',
        'task.title as taskTitle',
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
