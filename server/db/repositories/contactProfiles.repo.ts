/** A contact as one person: fields, identities, conversations across channels, merges and merge suggestions. */
import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../client';

export type ContactFields = { name: string; email: string | null; phone: string | null; notes: string; tags: string[] };

const contactColumns = ['id', 'name', 'email', 'phone', 'notes', 'tags', 'mergedIntoId', 'erasedAt', 'createdAt'] as const;

export function findContact(db: DbOrTx, id: string) {
  return db.selectFrom('contacts').select(contactColumns).where('id', '=', id).executeTakeFirst();
}

export type ContactRow = NonNullable<Awaited<ReturnType<typeof findContact>>>;

/** Locks both contacts of a merge (in id order, so two merges of the same pair cannot deadlock). */
export async function lockContacts(tx: Tx, ids: string[]): Promise<ContactRow[]> {
  return tx.selectFrom('contacts').select(contactColumns).where('id', 'in', ids).orderBy('id').forUpdate().execute();
}

export function listContactIdentities(db: DbOrTx, contactId: string) {
  return db
    .selectFrom('contactIdentities as i')
    .innerJoin('channels as ch', 'ch.id', 'i.channelId')
    .select(['i.id', 'i.channelId', 'ch.name as channelName', 'ch.kind as channelKind', 'i.externalId', 'i.handle', 'i.name'])
    .where('i.contactId', '=', contactId)
    .orderBy('ch.name')
    .orderBy('i.id')
    .execute();
}

export function listContactConversations(db: DbOrTx, contactId: string) {
  return db
    .selectFrom('conversations as c')
    .innerJoin('channels as ch', 'ch.id', 'c.channelId')
    .select(['c.id', 'c.caseNumber', 'c.status', 'c.channelId', 'ch.name as channelName', 'ch.kind as channelKind', 'c.lastMessageAt', 'c.createdAt'])
    .where('c.contactId', '=', contactId)
    .orderBy('c.lastMessageAt', 'desc')
    .limit(500)
    .execute();
}

export async function updateContactFields(tx: Tx, id: string, set: Partial<ContactFields>): Promise<void> {
  await tx.updateTable('contacts').set(set).where('id', '=', id).execute();
}

/** Moves identities and conversations from one contact to another; only the given ids when named (an undo). */
export async function moveContactRows(tx: Tx, from: string, to: string, only?: { identityIds: string[]; conversationIds: string[] }) {
  let identities = tx.updateTable('contactIdentities').set({ contactId: to }).where('contactId', '=', from);
  let conversations = tx.updateTable('conversations').set({ contactId: to }).where('contactId', '=', from);
  if (only) {
    identities = identities.where('id', '=', sql<string>`ANY(${only.identityIds}::uuid[])`);
    conversations = conversations.where('id', '=', sql<string>`ANY(${only.conversationIds}::uuid[])`);
  }
  const movedIdentities = await identities.returning('id').execute();
  const movedConversations = await conversations.returning('id').execute();
  return { identityIds: movedIdentities.map((r) => r.id), conversationIds: movedConversations.map((r) => r.id) };
}

export async function setMergedInto(tx: Tx, id: string, into: string | null): Promise<void> {
  await tx.updateTable('contacts').set({ mergedIntoId: into }).where('id', '=', id).execute();
}

export function insertContactMerge(
  tx: Tx,
  row: { keptContactId: string; mergedContactId: string; identityIds: string[]; conversationIds: string[]; mergedBy: string },
) {
  return tx.insertInto('contactMerges').values(row).returning(['id', 'mergedAt']).executeTakeFirstOrThrow();
}

export function findContactMergeForUpdate(tx: Tx, id: string) {
  return tx.selectFrom('contactMerges').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function markContactMergeUndone(tx: Tx, id: string): Promise<void> {
  await tx.updateTable('contactMerges').set({ undoneAt: new Date() }).where('id', '=', id).execute();
}

export function listContactMerges(db: DbOrTx, contactId: string) {
  return db
    .selectFrom('contactMerges as m')
    .innerJoin('contacts as o', 'o.id', 'm.mergedContactId')
    .select(['m.id', 'm.mergedContactId', 'o.name as mergedContactName', 'm.mergedAt', 'm.undoneAt'])
    .where('m.keptContactId', '=', contactId)
    .orderBy('m.mergedAt', 'desc')
    .execute();
}

/**
 * Other contacts that share an e-mail address or a phone number with this one — from the contact's own fields
 * or from its identities (an e-mail channel's sender address, a WhatsApp number) — so probably the same person.
 */
export async function findMergeSuggestions(db: DbOrTx, contactId: string) {
  const rows = await sql<{ id: string; name: string; reason: 'email' | 'phone' }>`
    WITH keys AS (
      SELECT c.id AS contact_id, 'email:' || lower(c.email) AS k FROM contacts c WHERE c.email IS NOT NULL
      UNION SELECT c.id, 'phone:' || regexp_replace(c.phone, '\\D', '', 'g') FROM contacts c WHERE c.phone IS NOT NULL
      UNION SELECT i.contact_id, 'email:' || lower(i.external_id) FROM contact_identities i JOIN channels ch ON ch.id = i.channel_id
        WHERE ch.kind = 'email'
      UNION SELECT i.contact_id, 'phone:' || regexp_replace(i.external_id, '\\D', '', 'g') FROM contact_identities i
        JOIN channels ch ON ch.id = i.channel_id WHERE ch.kind = 'whatsapp')
    SELECT DISTINCT ON (other.contact_id) other.contact_id AS id, c.name, split_part(other.k, ':', 1) AS reason
    FROM keys mine
    JOIN keys other ON other.k = mine.k AND other.contact_id <> mine.contact_id
    JOIN contacts c ON c.id = other.contact_id AND c.merged_into_id IS NULL AND c.erased_at IS NULL
    WHERE mine.contact_id = ${contactId} AND mine.k NOT IN ('email:', 'phone:')
    ORDER BY other.contact_id, reason
    LIMIT 20`.execute(db);
  return rows.rows;
}
