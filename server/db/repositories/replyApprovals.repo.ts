/** Replies waiting for an approver (025_reply_approval): the request, the decision, the approvers' queue. */
import type { ApprovalState } from '../schema';
import type { DbOrTx, Tx } from '../client';

export function insertReplyApproval(tx: Tx, a: { messageId: string; requestedBy: string; requestedAt: Date }) {
  return tx.insertInto('replyApprovals').values(a).execute();
}

export function lockReplyApproval(tx: Tx, messageId: string) {
  return tx.selectFrom('replyApprovals').selectAll().where('messageId', '=', messageId).forUpdate().executeTakeFirst();
}

export function decideReplyApproval(tx: Tx, messageId: string, d: { state: ApprovalState; decidedBy: string; decidedAt: Date; note: string | null }) {
  return tx.updateTable('replyApprovals').set(d).where('messageId', '=', messageId).execute();
}

/**
 * The approvers' queue: each waiting reply with its conversation, author, text, when it was asked for and the
 * conversation's SLA deadline — the most urgent first (no deadline last, then the longest waiting).
 */
export function listPendingApprovals(db: DbOrTx, limit = 200) {
  return db
    .selectFrom('replyApprovals as a')
    .innerJoin('messages as m', 'm.id', 'a.messageId')
    .innerJoin('conversations as c', 'c.id', 'm.conversationId')
    .innerJoin('channels as ch', 'ch.id', 'c.channelId')
    .innerJoin('users as u', 'u.id', 'a.requestedBy')
    .select([
      'a.messageId',
      'a.requestedAt',
      'a.requestedBy',
      'u.name as authorName',
      'm.text',
      'm.conversationId',
      'c.caseNumber',
      'c.responseDueAt',
      'ch.id as channelId',
      'ch.name as channelName',
      'ch.kind as channelKind',
    ])
    .where('a.state', '=', 'pending')
    .orderBy('c.responseDueAt', (ob) => ob.asc().nullsLast())
    .orderBy('a.requestedAt')
    .limit(limit)
    .execute();
}

export async function countPendingApprovals(db: DbOrTx): Promise<number> {
  const row = await db
    .selectFrom('replyApprovals')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('state', '=', 'pending')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
