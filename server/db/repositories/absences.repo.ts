/** Absences (vacation, sick days) and the hand-back of an absent agent's open conversations (014_routing.sql). */
import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../client';
import type { AbsenceReason } from '../schema';

export function insertAbsence(tx: Tx, a: { userId: string; startsAt: Date; endsAt: Date; reason: AbsenceReason; deputyId: string | null; createdBy: string }) {
  return tx.insertInto('absences').values(a).returningAll().executeTakeFirstOrThrow();
}

export function listAbsences(db: DbOrTx, f: { userId?: string; from: Date }) {
  let q = db
    .selectFrom('absences as a')
    .innerJoin('users as u', 'u.id', 'a.userId')
    .leftJoin('users as d', 'd.id', 'a.deputyId')
    .select(['a.id', 'a.userId', 'u.name as userName', 'a.startsAt', 'a.endsAt', 'a.reason', 'a.deputyId', 'd.name as deputyName', 'a.handedBackAt'])
    .where('a.cancelledAt', 'is', null)
    .where('a.endsAt', '>', f.from);
  if (f.userId) q = q.where('a.userId', '=', f.userId);
  return q.orderBy('a.startsAt').limit(500).execute();
}

export function lockAbsence(tx: Tx, id: string) {
  return tx.selectFrom('absences').selectAll().where('id', '=', id).where('cancelledAt', 'is', null).forUpdate().executeTakeFirst();
}

export async function cancelAbsence(tx: Tx, id: string) {
  await tx.updateTable('absences').set({ cancelledAt: new Date() }).where('id', '=', id).execute();
}

/** Absences that have started and whose conversations were not handed back yet, locked (a parallel sweep skips them). */
export function lockStartedAbsences(tx: Tx, now: Date) {
  return tx
    .selectFrom('absences')
    .selectAll()
    .where('cancelledAt', 'is', null)
    .where('handedBackAt', 'is', null)
    .where('startsAt', '<=', now)
    .where('endsAt', '>', now)
    .orderBy('startsAt')
    .limit(100)
    .forUpdate()
    .skipLocked()
    .execute();
}

export async function markHandedBack(tx: Tx, id: string) {
  await tx.updateTable('absences').set({ handedBackAt: new Date() }).where('id', '=', id).execute();
}

/** An agent's open conversations (not closed), locked in id order. */
export async function lockOpenConversationsOf(tx: Tx, userId: string) {
  const r = await sql<{ id: string; channelId: string; status: string }>`
    SELECT id, channel_id, status FROM conversations WHERE assignee_id = ${userId} AND status <> 'closed' ORDER BY id FOR UPDATE`.execute(tx);
  return r.rows;
}

/** Hands conversations to the deputy (null: back to the queue); a waiting one is `assigned` to the deputy or `new` again. */
export async function handOver(tx: Tx, ids: string[], to: string | null, reason: unknown) {
  if (ids.length === 0) return;
  await sql`
    UPDATE conversations SET assignee_id = ${to},
      status = CASE WHEN status = 'assigned' AND ${to}::uuid IS NULL THEN 'new' ELSE status END,
      routing_reason = ${JSON.stringify(reason)}::jsonb, routed_at = now(), routing_opened_at = NULL, updated_at = now()
    WHERE id = ANY(${ids}::uuid[])`.execute(tx);
}
