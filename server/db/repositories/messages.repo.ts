/** Messages: inbound posts, outbound replies with their delivery state, internal notes. */
import type { DbOrTx, Tx } from '../client';
import type { DeliveryState, NewMessage } from '../schema';

export function findInboundByExternalId(db: DbOrTx, channelId: string, externalId: string) {
  return db.selectFrom('messages as m').innerJoin('conversations as c', 'c.id', 'm.conversationId')
    .select(['m.id as messageId', 'm.conversationId', 'c.caseNumber'])
    .where('m.channelId', '=', channelId).where('m.externalId', '=', externalId).executeTakeFirst();
}

export function insertMessage(tx: Tx, m: NewMessage) {
  return tx.insertInto('messages').values(m).returning(['id', 'postedAt']).executeTakeFirstOrThrow();
}

export function listMessages(db: DbOrTx, conversationId: string) {
  return db.selectFrom('messages').select([
    'id', 'direction', 'externalId', 'authorName', 'authorHandle', 'authorUserId', 'text', 'url', 'postedAt',
    'deliveryState', 'deliveryError', 'deliveryAttempts', 'deliveredAt', 'remoteStatus',
    // 002_sla: the post's clock
    'slaKind', 'slaDueAt', 'slaWarnAt', 'slaState', 'respondedAt', 'businessMinutesToRespond', 'wallMinutesToRespond',
    'breachResponsibleUserId', 'breachReason', 'slaPausedAt',
    (eb) => eb.selectFrom('users').select('name').whereRef('users.id', '=', 'messages.breachResponsibleUserId').as('breachResponsibleName'),
  ]).where('conversationId', '=', conversationId).orderBy('postedAt').orderBy('createdAt').execute();
}

export function findMessage(db: DbOrTx, id: string) {
  return db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
}

export function lockMessage(tx: Tx, id: string) {
  return tx.selectFrom('messages').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function setDelivery(tx: Tx, id: string, set: { deliveryState: DeliveryState; deliveryError?: string | null; deliveryAttempts?: number; deliveredAt?: Date | null; externalId?: string | null; url?: string | null }) {
  return tx.updateTable('messages').set(set).where('id', '=', id).execute();
}

/** Replies the database says are still owed to a channel (the reconciler re-enqueues them). */
export function listPendingDeliveries(db: DbOrTx) {
  return db.selectFrom('messages').select('id').where('deliveryState', 'in', ['queued', 'sending']).execute();
}
