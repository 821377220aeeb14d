/** What the public case status page may show of a conversation: its number, status and the public messages. */
import { sql } from 'kysely';
import type { DbOrTx } from '../client';
import type { ConversationStatus, Direction } from '../schema';

export type CustomerCase = { id: string; caseNumber: string; status: ConversationStatus; channelName: string; updatedAt: Date };

/**
 * The case with this number whose customer has this e-mail address (the contact's address, or an e-mail
 * identity of the contact), in ONE statement: a wrong number and a wrong address both find nothing through
 * the same work, so neither the answer nor its timing tells which was wrong. `caseNumber` null (not a
 * number) runs the same statement with a number no case has.
 */
export async function findCaseForCustomer(db: DbOrTx, caseNumber: string | null, email: string): Promise<CustomerCase | undefined> {
  const { rows } = await sql<CustomerCase>`
    SELECT c.id, c.case_number::text AS case_number, c.status, ch.name AS channel_name, c.updated_at
    FROM conversations c
    JOIN contacts ct ON ct.id = c.contact_id
    JOIN channels ch ON ch.id = c.channel_id
    WHERE c.case_number = ${caseNumber ?? '-1'}::bigint
      AND c.anonymised_at IS NULL AND ct.erased_at IS NULL
      AND (lower(ct.email) = lower(${email})
        OR EXISTS (SELECT 1 FROM contact_identities ci JOIN channels ich ON ich.id = ci.channel_id
                   WHERE ci.contact_id = c.contact_id AND ich.kind = 'email' AND lower(ci.external_id) = lower(${email})))`.execute(db);
  return rows[0];
}

/** The case by number alone, for a signed link (the signature proves it was sent to the customer). */
export async function findCaseByNumber(db: DbOrTx, caseNumber: string): Promise<CustomerCase | undefined> {
  const { rows } = await sql<CustomerCase>`
    SELECT c.id, c.case_number::text AS case_number, c.status, ch.name AS channel_name, c.updated_at
    FROM conversations c JOIN channels ch ON ch.id = c.channel_id
    WHERE c.case_number = ${caseNumber}::bigint AND c.anonymised_at IS NULL`.execute(db);
  return rows[0];
}

export type PublicMessage = { direction: Exclude<Direction, 'note'>; text: string; postedAt: Date; agentName: string | null; authorKind: 'bot' | null };

/**
 * The messages the customer may see again: theirs, and replies that were sent. Never notes, drafts, queued,
 * failed, pending or rejected replies; of the agent only the name they go by (the caller shows the first word).
 */
export function publicMessages(db: DbOrTx, conversationId: string, limit = 200): Promise<PublicMessage[]> {
  return db
    .selectFrom('messages as m')
    .leftJoin('users as u', 'u.id', 'm.authorUserId')
    .select(['m.direction', 'm.text', 'm.postedAt', 'u.name as agentName', 'm.authorKind'])
    .where('m.conversationId', '=', conversationId)
    .where((eb) => eb.or([eb('m.direction', '=', 'inbound'), eb.and([eb('m.direction', '=', 'outbound'), eb('m.deliveryState', '=', 'sent')])]))
    .where('m.remoteRemovedAt', 'is', null)
    .orderBy('m.postedAt')
    .orderBy('m.createdAt')
    .limit(limit)
    .execute() as Promise<PublicMessage[]>;
}
