/** Callback requests and their call attempts (035_callbacks), and the callback report's counts. */
import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../client';
import type { CallbackOutcome, Locale, SlaState } from '../schema';

export type NewCallbackRequest = {
  conversationId: string;
  siteId: string;
  messageId: string;
  phone: string;
  name: string;
  windowStart: Date;
  windowEnd: Date;
  timeZone: string;
  language: Locale;
  requestedAt: Date;
  consentAt: Date;
  dueAt: Date;
};

export async function insertCallbackRequest(tx: Tx, r: NewCallbackRequest): Promise<void> {
  await tx.insertInto('callbackRequests').values(r).execute();
}

/** The request's post gets the callback's clock (ingest timed it by the channel's policy, if any). */
export async function setCallbackClock(tx: Tx, messageId: string, clock: { dueAt: Date; warnAt: Date }): Promise<void> {
  await tx
    .updateTable('messages')
    .set({ slaDueAt: clock.dueAt, slaWarnAt: clock.warnAt, slaState: 'ok', slaKind: 'first' })
    .where('id', '=', messageId)
    .execute();
  await sql`UPDATE conversations c SET first_response_due_at = ${clock.dueAt}, response_due_at = ${clock.dueAt}
              WHERE c.id = (SELECT conversation_id FROM messages WHERE id = ${messageId})`.execute(tx);
}

/** A missed call moved the due time: the post's clock runs again towards it, without a warning (a recorded breach stays). */
export async function moveCallbackDue(tx: Tx, messageId: string, dueAt: Date): Promise<void> {
  await tx
    .updateTable('messages')
    .set({ slaDueAt: dueAt, slaWarnAt: null, slaState: sql<SlaState>`CASE WHEN sla_state = 'breached' THEN 'breached' ELSE 'ok' END` })
    .where('id', '=', messageId)
    .where('respondedAt', 'is', null)
    .execute();
}

export function findCallbackRequest(db: DbOrTx, conversationId: string) {
  return db
    .selectFrom('callbackRequests as r')
    .innerJoin('messages as m', 'm.id', 'r.messageId')
    .select([
      'r.conversationId',
      'r.siteId',
      'r.messageId',
      'r.phone',
      'r.name',
      'r.windowStart',
      'r.windowEnd',
      'r.timeZone',
      'r.language',
      'r.requestedAt',
      'r.dueAt as firstDueAt',
      'm.slaDueAt as dueAt',
      'm.slaState',
      'm.respondedAt',
    ])
    .where('r.conversationId', '=', conversationId)
    .executeTakeFirst();
}
export type CallbackRequest = NonNullable<Awaited<ReturnType<typeof findCallbackRequest>>>;

export async function insertCallbackAttempt(
  tx: Tx,
  a: { conversationId: string; outcome: CallbackOutcome; userId: string; at: Date; note: string | null; nextDueAt: Date | null },
): Promise<string> {
  const row = await tx.insertInto('callbackAttempts').values(a).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export function listCallbackAttempts(db: DbOrTx, conversationId: string) {
  return db
    .selectFrom('callbackAttempts as a')
    .innerJoin('users as u', 'u.id', 'a.userId')
    .select(['a.id', 'a.outcome', 'a.at', 'a.note', 'a.nextDueAt', 'u.name as userName'])
    .where('a.conversationId', '=', conversationId)
    .orderBy('a.at')
    .orderBy('a.id')
    .execute();
}

/**
 * The callback report over requests made in [from, to): how many were requested, how many reached the customer
 * (and how many of those by their due time), and over attempts made in [from, to): the missed calls and the
 * wrong numbers.
 */
export async function callbackCounts(db: DbOrTx, from: Date, to: Date) {
  const { rows } = await sql<{ requested: string; reached: string; reachedInTime: string; notReached: string; wrongNumbers: string }>`
    WITH req AS (
      SELECT r.conversation_id,
             EXISTS (SELECT 1 FROM callback_attempts a WHERE a.conversation_id = r.conversation_id AND a.outcome = 'reached') AS reached,
             -- within target: reached by the due time first promised (a later try the agent set does not move the target)
             EXISTS (SELECT 1 FROM callback_attempts a WHERE a.conversation_id = r.conversation_id AND a.outcome = 'reached'
                       AND a.at <= r.due_at) AS reached_in_time
        FROM callback_requests r
       WHERE r.requested_at >= ${from} AND r.requested_at < ${to})
    SELECT (SELECT count(*) FROM req) AS requested,
           (SELECT count(*) FROM req WHERE reached) AS reached,
           (SELECT count(*) FROM req WHERE reached_in_time) AS reached_in_time,
           (SELECT count(*) FROM callback_attempts WHERE outcome = 'not_reached' AND at >= ${from} AND at < ${to}) AS not_reached,
           (SELECT count(*) FROM callback_attempts WHERE outcome = 'wrong_number' AND at >= ${from} AND at < ${to}) AS wrong_numbers`.execute(db);
  const r = rows[0]!;
  return {
    requested: Number(r.requested),
    reached: Number(r.reached),
    reachedInTime: Number(r.reachedInTime),
    notReached: Number(r.notReached),
    wrongNumbers: Number(r.wrongNumbers),
  };
}
