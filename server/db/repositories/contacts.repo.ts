/** Contacts and their identities on channels. */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../client';
import type { ChannelKind, ConversationStatus } from '../schema';

/**
 * Authors of a batch, each once with the values its posts leave behind: the contact is named after the
 * author's first post, the identity carries the last post's name and handle, and the last avatar given
 * (undefined: none given, the stored one stays).
 */
export type BatchAuthor = { channelId: string; externalId: string; contactName: string; name: string; handle: string | null; avatarUrl?: string | null };

const authorKey = (channelId: string, externalId: string) => `${channelId}\u0000${externalId}`;

/**
 * The set-based upsertContactIdentity: contact id per author key (`channelId\0externalId`). New
 * identities are inserted in sorted order with ON CONFLICT DO NOTHING, so a concurrent batch that
 * inserts the same author first wins and this one reads its row (the contact created for nothing is
 * removed again).
 */
export async function upsertContactIdentities(tx: Tx, authors: BatchAuthor[]): Promise<Map<string, string>> {
  const contactIds = new Map<string, string>();
  if (authors.length === 0) return contactIds;
  const sorted = [...authors].sort((a, b) =>
    a.channelId < b.channelId ? -1 : a.channelId > b.channelId ? 1 : a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : 0,
  );
  const existingOf = async (list: BatchAuthor[]) =>
    (
      await sql<{ id: string; contactId: string; channelId: string; externalId: string; name: string; handle: string | null; avatarUrl: string | null }>`
    SELECT i.id, i.contact_id, i.channel_id, i.external_id, i.name, i.handle, i.avatar_url
    FROM unnest(${list.map((a) => a.channelId)}::uuid[], ${list.map((a) => a.externalId)}::text[]) AS k(channel_id, external_id)
    JOIN contact_identities i ON i.channel_id = k.channel_id AND i.external_id = k.external_id`.execute(tx)
    ).rows;

  let existing = await existingOf(sorted);
  const known = new Set(existing.map((e) => authorKey(e.channelId, e.externalId)));
  const fresh = sorted.filter((a) => !known.has(authorKey(a.channelId, a.externalId)));
  if (fresh.length > 0) {
    const ids = fresh.map(() => randomUUID());
    const inserted = await sql<{ contactId: string }>`
      WITH new_contacts AS (
        INSERT INTO contacts (id, name) SELECT * FROM unnest(${ids}::uuid[], ${fresh.map((a) => a.contactName)}::text[]) RETURNING id)
      INSERT INTO contact_identities (contact_id, channel_id, external_id, name, handle, avatar_url)
      SELECT r.contact_id, r.channel_id, r.external_id, r.name, r.handle, r.avatar_url
      FROM unnest(${ids}::uuid[], ${fresh.map((a) => a.channelId)}::uuid[], ${fresh.map((a) => a.externalId)}::text[],
        ${fresh.map((a) => a.name)}::text[], ${fresh.map((a) => a.handle)}::text[], ${fresh.map((a) => a.avatarUrl ?? null)}::text[])
        WITH ORDINALITY AS r(contact_id, channel_id, external_id, name, handle, avatar_url, ord)
      ORDER BY r.ord
      ON CONFLICT (channel_id, external_id) DO NOTHING
      RETURNING contact_id`.execute(tx);
    const won = new Set(inserted.rows.map((r) => r.contactId));
    const lost: BatchAuthor[] = [];
    fresh.forEach((a, i) => {
      if (won.has(ids[i]!)) contactIds.set(authorKey(a.channelId, a.externalId), ids[i]!);
      else lost.push(a);
    });
    if (lost.length > 0) {
      // Another transaction stored these authors meanwhile: drop our unused contacts, update theirs below.
      await tx
        .deleteFrom('contacts')
        .where(
          'id',
          'in',
          ids.filter((id) => !won.has(id)),
        )
        .execute();
      existing = [...existing, ...(await existingOf(lost))];
    }
  }

  const byKey = new Map(authors.map((a) => [authorKey(a.channelId, a.externalId), a]));
  const changed: { id: string; name: string; handle: string | null; avatarUrl: string | null }[] = [];
  for (const e of existing) {
    const a = byKey.get(authorKey(e.channelId, e.externalId))!;
    contactIds.set(authorKey(e.channelId, e.externalId), e.contactId);
    const avatarUrl = a.avatarUrl === undefined ? e.avatarUrl : a.avatarUrl;
    if (e.name !== a.name || e.handle !== a.handle || e.avatarUrl !== avatarUrl) changed.push({ id: e.id, name: a.name, handle: a.handle, avatarUrl });
  }
  if (changed.length > 0) {
    changed.sort((x, y) => (x.id < y.id ? -1 : 1));
    await sql`
      UPDATE contact_identities i SET name = v.name, handle = v.handle, avatar_url = v.avatar_url
      FROM unnest(${changed.map((c) => c.id)}::uuid[], ${changed.map((c) => c.name)}::text[], ${changed.map((c) => c.handle)}::text[],
        ${changed.map((c) => c.avatarUrl)}::text[]) AS v(id, name, handle, avatar_url)
      WHERE i.id = v.id`.execute(tx);
  }
  return contactIds;
}

export const contactKey = authorKey;

/**
 * An author known before under another id on the channel (WhatsApp: the phone number, now a business-scoped
 * user id): the old identity takes the new id, unless an identity under the new id exists already.
 */
export async function renameFormerIdentities(tx: Tx, renames: { channelId: string; from: string; to: string }[]): Promise<void> {
  if (renames.length === 0) return;
  await sql`
    UPDATE contact_identities i SET external_id = r.to_id
    FROM unnest(${renames.map((r) => r.channelId)}::uuid[], ${renames.map((r) => r.from)}::text[], ${renames.map((r) => r.to)}::text[])
      AS r(channel_id, from_id, to_id)
    WHERE i.channel_id = r.channel_id AND i.external_id = r.from_id
      AND NOT EXISTS (SELECT 1 FROM contact_identities j WHERE j.channel_id = r.channel_id AND j.external_id = r.to_id)`.execute(tx);
}

/**
 * What the console shows beside a conversation about its customer: their identities on the channels (the
 * external id is the e-mail address on an e-mail channel, the phone number on WhatsApp), their other
 * conversations (newest first, at most 20), the tags on all of them, and the latest internal notes.
 * One statement (four were a fifth of the conversation page's statements).
 */
export async function contactContext(db: DbOrTx, contactId: string, conversationId: string) {
  const { rows } = await sql<{
    identities: { id: string; name: string; handle: string | null; externalId: string; channelName: string; channelKind: ChannelKind }[];
    conversations: { id: string; caseNumber: string; status: ConversationStatus; lastMessageAt: string; channelName: string; channelKind: ChannelKind }[];
    tags: string[];
    notes: { id: string; text: string; authorName: string; postedAt: string; caseNumber: string; conversationId: string }[];
  }>`
    SELECT
      (SELECT coalesce(json_agg(json_build_object('id', i.id, 'name', i.name, 'handle', i.handle, 'externalId', i.external_id,
          'channelName', ch.name, 'channelKind', ch.kind) ORDER BY ch.name), '[]'::json)
        FROM contact_identities i JOIN channels ch ON ch.id = i.channel_id WHERE i.contact_id = ${contactId}) AS identities,
      (SELECT coalesce(json_agg(o ORDER BY o."lastMessageAt" DESC), '[]'::json) FROM (
        SELECT c.id, c.case_number::text AS "caseNumber", c.status, c.last_message_at AS "lastMessageAt", ch.name AS "channelName", ch.kind AS "channelKind"
        FROM conversations c JOIN channels ch ON ch.id = c.channel_id
        WHERE c.contact_id = ${contactId} AND c.id <> ${conversationId} ORDER BY c.last_message_at DESC LIMIT 20) o) AS conversations,
      ARRAY(SELECT DISTINCT t.tag FROM conversation_tags t JOIN conversations c ON c.id = t.conversation_id
        WHERE c.contact_id = ${contactId} ORDER BY t.tag LIMIT 50) AS tags,
      (SELECT coalesce(json_agg(n ORDER BY n."postedAt" DESC), '[]'::json) FROM (
        SELECT m.id, m.text, m.author_name AS "authorName", m.posted_at AS "postedAt", c.case_number::text AS "caseNumber", c.id AS "conversationId"
        FROM messages m JOIN conversations c ON c.id = m.conversation_id
        WHERE c.contact_id = ${contactId} AND m.direction = 'note' ORDER BY m.posted_at DESC LIMIT 5) n) AS notes`.execute(db);
  const found = rows[0]!;
  return {
    identities: found.identities,
    conversations: found.conversations.map((c) => ({ ...c, lastMessageAt: new Date(c.lastMessageAt) })),
    tags: found.tags,
    notes: found.notes.map((n) => ({ ...n, postedAt: new Date(n.postedAt) })),
  };
}
