/** Proactive chat invitations (029_web_chat): each holds one free chat slot of its site until it expires or is used. */
import type { DbOrTx, Tx } from '../client';

/** Deletes up to `limit` invitations created before `before` (long expired or used: they hold nothing); how many went. */
export async function deleteInvitationsBefore(db: DbOrTx, before: Date, limit: number): Promise<number> {
  const r = await db
    .deleteFrom('chatInvitations')
    .where('id', 'in', (eb) => eb.selectFrom('chatInvitations').select('id').where('createdAt', '<', before).limit(limit))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Invitations of the site still holding a slot at `now` (unexpired, unused). */
export async function countOutstandingInvitations(db: DbOrTx, siteId: string, now: Date): Promise<number> {
  const r = await db
    .selectFrom('chatInvitations')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('siteId', '=', siteId)
    .where('usedAt', 'is', null)
    .where('expiresAt', '>', now)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The visitor's invitation that still holds a slot, if any. */
export function findHeldInvitation(db: DbOrTx, siteId: string, visitorId: string, now: Date) {
  return db
    .selectFrom('chatInvitations')
    .select(['id', 'expiresAt'])
    .where('siteId', '=', siteId)
    .where('visitorId', '=', visitorId)
    .where('usedAt', 'is', null)
    .where('expiresAt', '>', now)
    .orderBy('expiresAt', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export function insertInvitation(tx: Tx, i: { siteId: string; visitorId: string; createdAt: Date; expiresAt: Date }) {
  return tx.insertInto('chatInvitations').values(i).returning(['id', 'expiresAt']).executeTakeFirstOrThrow();
}

/** Marks the visitor's invitation used (the chat it led to now waits in the queue instead); false when it was not theirs or no longer held. */
export async function useInvitation(tx: Tx, id: string, siteId: string, visitorId: string, now: Date): Promise<boolean> {
  const r = await tx
    .updateTable('chatInvitations')
    .set({ usedAt: now })
    .where('id', '=', id)
    .where('siteId', '=', siteId)
    .where('visitorId', '=', visitorId)
    .where('usedAt', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
