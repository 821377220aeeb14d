/** A conversation's workflow state (assignee, team, reminder, close reason, priority) and who last changed it. */
import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../client';
import type { ConversationStatus, Priority } from '../schema';

export type WorkflowChange = {
  status?: ConversationStatus;
  assigneeId?: string | null;
  teamId?: string | null;
  remindAt?: Date | null;
  closeReason?: string | null;
  priority?: Priority;
};

/** Writes the change and bumps updated_at, which is the version stale forms are checked against. */
export function updateWorkflow(tx: Tx, id: string, set: WorkflowChange) {
  return tx
    .updateTable('conversations')
    .set({ ...set, updatedAt: new Date() })
    .where('id', '=', id)
    .returning(['updatedAt'])
    .executeTakeFirstOrThrow();
}

/** The person (or component) behind the latest audited change of a conversation. */
export async function lastActorOn(db: DbOrTx, conversationId: string): Promise<string | null> {
  const row = await db
    .selectFrom('auditEvents as a')
    .leftJoin('users as u', (j) => j.on(sql`u.id::text`, '=', sql.ref('a.actorId')))
    .select(['a.actorLabel', 'u.name'])
    .where('a.subjectType', '=', 'conversation')
    .where('a.subjectId', '=', conversationId)
    .orderBy('a.seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? (row.name ?? row.actorLabel) : null;
}

/** Saved conversations still waiting for their reminder (the reconciler re-enqueues them). */
export function listPendingReminders(db: DbOrTx) {
  return db.selectFrom('conversations').select(['id', 'remindAt']).where('status', '=', 'saved').where('remindAt', 'is not', null).execute();
}

/** Colleagues who work conversations (assignment targets, mention candidates). */
export const staffQuery = (db: DbOrTx) =>
  db.selectFrom('users').select(['id', 'email', 'name', 'role']).where('role', 'in', ['agent', 'manager']).orderBy('name');

export function listStaff(db: DbOrTx) {
  return staffQuery(db).execute();
}

/**
 * The newest outbound reply stored after `seenMessageId` (by storage time), or undefined if none.
 * `seen: false` means the message is not part of this conversation.
 */
/** The newest reply stored after the seen message; `goneOut`: only replies that went (or go) to the customer, not ones waiting for approval or rejected. */
export async function outboundReplyAfter(db: DbOrTx, conversationId: string, seenMessageId: string, { goneOut = false } = {}) {
  const seen = await db.selectFrom('messages').select('id').where('id', '=', seenMessageId).where('conversationId', '=', conversationId).executeTakeFirst();
  if (!seen) return { seen: false as const };
  const newer = await db
    .selectFrom('messages')
    .select(['id', 'authorName'])
    .where('conversationId', '=', conversationId)
    .where('direction', '=', 'outbound')
    .$if(goneOut, (q) => q.where('deliveryState', 'not in', ['pending_approval', 'rejected']))
    // compared in SQL: a JavaScript Date keeps milliseconds only, so the seen message itself (microseconds) would count as newer
    .where('createdAt', '>', (eb) => eb.selectFrom('messages as seen').select('seen.createdAt').where('seen.id', '=', seenMessageId))
    .orderBy('createdAt', 'desc')
    .limit(1)
    .executeTakeFirst();
  return { seen: true as const, newer };
}
