/**
 * Removing a customer's personal data while keeping the figures (docs/audit-and-erasure.md): message texts, attachments,
 * names, handles, links, raw payloads and external ids go; rows, times, SLA and delivery figures stay.
 */
import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../client';
import { deleteAttachmentsOf } from './messageAttachments.repo';

export const ERASED_NAME = '[erased]';

/** The contact and every contact merged into it (the same person). */
export async function contactAndMergedIds(tx: Tx, contactId: string): Promise<string[]> {
  const merged = await tx.selectFrom('contacts').select('id').where('mergedIntoId', '=', contactId).execute();
  return [contactId, ...merged.map((r) => r.id)];
}

export async function conversationIdsOfContacts(tx: Tx, contactIds: string[]): Promise<string[]> {
  const rows = await tx.selectFrom('conversations').select('id').where('contactId', 'in', contactIds).orderBy('id').forUpdate().execute();
  return rows.map((r) => r.id);
}

/** What a website chat's visitor gave (pre-chat form, page) and when the chat ran; none for other conversations. */
export function chatVisitorOf(db: DbOrTx, conversationId: string) {
  return db
    .selectFrom('chatSessions')
    .select(['prechatName', 'prechatEmail', 'pageUrl', 'consentAt', 'startedAt', 'endedAt'])
    .where('conversationId', '=', conversationId)
    .executeTakeFirst();
}

/** Empties the personal parts of the conversations' messages, task titles and chat visitors' pre-chat data, and withdraws replies waiting for approval; the search column is generated from text, so it follows. */
export async function anonymiseConversations(tx: Tx, conversationIds: string[]): Promise<{ messages: number }> {
  if (conversationIds.length === 0) return { messages: 0 };
  await deleteAttachmentsOf(tx, conversationIds);
  const done = await sql`
    UPDATE messages SET
      text = '',
      author_name = CASE WHEN direction = 'inbound' THEN ${ERASED_NAME} ELSE author_name END,
      author_handle = NULL, url = NULL, raw = NULL, external_id = NULL, in_reply_to_external_id = NULL, delivery_error = NULL
    WHERE conversation_id = ANY(${conversationIds}::uuid[])`.execute(tx);
  // A reply still waiting for approval is withdrawn: its text is gone, and nobody may approve an empty or new text
  // on an erased conversation (it leaves the approvers' queue; the author stands as the one who decided).
  await sql`
    UPDATE reply_approvals a SET state = 'rejected', decided_by = a.requested_by, decided_at = now()
    FROM messages m WHERE m.id = a.message_id AND a.state = 'pending' AND m.conversation_id = ANY(${conversationIds}::uuid[])`.execute(tx);
  await sql`
    UPDATE messages SET delivery_state = 'rejected'
    WHERE conversation_id = ANY(${conversationIds}::uuid[]) AND delivery_state = 'pending_approval'`.execute(tx);
  // task titles are written by staff about the case, like notes: they may name the customer
  await tx.updateTable('conversationTasks').set({ title: '' }).where('conversationId', 'in', conversationIds).execute();
  // a website chat's visitor: what the pre-chat form asked and the page they wrote from (the chat's timing stays for reports)
  await tx.updateTable('chatSessions').set({ prechatName: null, prechatEmail: null, pageUrl: null }).where('conversationId', 'in', conversationIds).execute();
  // a callback request's number and name, and what agents noted on its calls (the window and outcomes stay for reports)
  await tx.updateTable('callbackRequests').set({ phone: null, name: null }).where('conversationId', 'in', conversationIds).execute();
  await tx.updateTable('callbackAttempts').set({ note: null }).where('conversationId', 'in', conversationIds).execute();
  await tx.updateTable('conversations').set({ anonymisedAt: new Date() }).where('id', 'in', conversationIds).execute();
  return { messages: Number(done.numAffectedRows ?? 0) };
}

/** The contacts' own fields and identities; returns the identities' former external ids per channel (to find raw deliveries). */
export async function eraseContactRows(tx: Tx, contactIds: string[]): Promise<{ channelId: string; externalId: string }[]> {
  const identities = await tx
    .selectFrom('contactIdentities')
    .select(['id', 'channelId', 'externalId'])
    .where('contactId', 'in', contactIds)
    .where('externalId', 'not like', 'erased:%')
    .execute();
  await sql`
    UPDATE contact_identities SET external_id = 'erased:' || id, name = ${ERASED_NAME}, handle = NULL, avatar_url = NULL
    WHERE contact_id = ANY(${contactIds}::uuid[])`.execute(tx);
  await tx
    .updateTable('contacts')
    .set({ name: ERASED_NAME, email: null, phone: null, notes: '', tags: [], erasedAt: new Date() })
    .where('id', 'in', contactIds)
    .execute();
  return identities.map((i) => ({ channelId: i.channelId, externalId: i.externalId }));
}

/** Processed webhook deliveries of the channel that name the external id lose their payload. */
export async function scrubWebhookInbox(tx: Tx, identities: { channelId: string; externalId: string }[]): Promise<number> {
  let scrubbed = 0;
  for (const { channelId, externalId } of identities) {
    const done = await sql`
      UPDATE webhook_inbox SET payload = '{"erased": true}'::jsonb
      WHERE channel_id = ${channelId} AND processed_at IS NOT NULL AND strpos(payload::text, ${externalId}) > 0`.execute(tx);
    scrubbed += Number(done.numAffectedRows ?? 0);
  }
  return scrubbed;
}

/** Closed conversations past their channel's retention, oldest first. */
export function findConversationsPastRetention(db: DbOrTx, now: Date, limit: number) {
  return db
    .selectFrom('conversations as c')
    .innerJoin('channels as ch', 'ch.id', 'c.channelId')
    .select(['c.id', 'c.channelId', 'c.contactId'])
    .where('ch.retentionDays', 'is not', null)
    .where('c.status', '=', 'closed')
    .where('c.anonymisedAt', 'is', null)
    .where(sql<boolean>`c.updated_at < ${now}::timestamptz - ch.retention_days * interval '1 day'`)
    .orderBy('c.updatedAt')
    .limit(limit)
    .execute();
}

/** Of the given contacts, those not erased yet whose conversations are all anonymised (nothing personal left to keep). */
export async function contactsWithNothingLeft(tx: Tx, contactIds: string[]): Promise<string[]> {
  if (contactIds.length === 0) return [];
  const rows = await sql<{ id: string }>`
    SELECT k.id FROM contacts k
    WHERE k.id = ANY(${contactIds}::uuid[]) AND k.erased_at IS NULL
      AND NOT EXISTS (SELECT 1 FROM conversations c WHERE c.contact_id = k.id AND c.anonymised_at IS NULL)`.execute(tx);
  return rows.rows.map((r) => r.id);
}

export async function setChannelRetention(tx: Tx, channelId: string, retentionDays: number | null) {
  return tx.updateTable('channels').set({ retentionDays }).where('id', '=', channelId).returning(['id', 'retentionDays']).executeTakeFirst();
}
