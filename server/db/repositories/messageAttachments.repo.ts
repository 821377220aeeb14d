/** Files customers sent with their messages (026): stored on ingest, listed for the thread, served one at a time. */
import { sql } from 'kysely';
import type { InboundAttachment } from '../../../connectors/types';
import type { DbOrTx, Tx } from '../client';
import { compiledOnce } from '../compiledOnce';

export type AttachmentListing = {
  id: string;
  messageId: string;
  fileName: string | null;
  contentType: string | null;
  sizeBytes: number | null;
  available: boolean;
};

export async function insertAttachments(tx: Tx, rows: { messageId: string; attachments: InboundAttachment[] }[]): Promise<void> {
  const values = rows.flatMap(({ messageId, attachments }) =>
    attachments.map((a, position) => ({
      messageId,
      position,
      fileName: a.fileName,
      contentType: a.contentType,
      sizeBytes: a.sizeBytes,
      providerRef: a.content ? null : a.providerRef,
      content: a.content ?? null,
      fetchedAt: a.content ? new Date() : null,
    })),
  );
  if (values.length) await tx.insertInto('messageAttachments').values(values).execute();
}

/**
 * The attachments of these inbound messages of the conversation (the window of its thread the console shows), without
 * their bytes; `available`: they can be opened (kept, or fetchable from the provider).
 */
export async function listAttachments(db: DbOrTx, conversationId: string, messageIds: string[]): Promise<AttachmentListing[]> {
  if (messageIds.length === 0) return [];
  // one array parameter, written as PostgreSQL's array literal: the statement's text stays the same for any window
  const rows = await attachmentsOf(db, { conversationId, messageIds: `{${messageIds.join(',')}}` });
  return rows.map((r) => ({ ...r, available: Boolean(r.available) }));
}

const attachmentsOf = compiledOnce((db, { conversationId, messageIds }: { conversationId: string; messageIds: string }) =>
  db
    .selectFrom('messageAttachments as a')
    .innerJoin('messages as m', 'm.id', 'a.messageId')
    .select(['a.id', 'a.messageId', 'a.fileName', 'a.contentType', 'a.sizeBytes'])
    .select((eb) => eb.or([eb('a.content', 'is not', null), eb('a.providerRef', 'is not', null)]).as('available'))
    .where('m.conversationId', '=', conversationId)
    .where(sql<boolean>`a.message_id = ANY(${messageIds}::uuid[])`)
    .where('m.direction', '=', 'inbound')
    .orderBy('a.messageId')
    .orderBy('a.position'),
);

/** One attachment of one conversation (null when it is not that conversation's), with its bytes if kept and the channel to fetch them from. */
export function findAttachment(db: DbOrTx, conversationId: string, attachmentId: string) {
  return db
    .selectFrom('messageAttachments as a')
    .innerJoin('messages as m', 'm.id', 'a.messageId')
    .select(['a.id', 'a.fileName', 'a.contentType', 'a.sizeBytes', 'a.providerRef', 'a.content', 'm.channelId'])
    .where('a.id', '=', attachmentId)
    .where('m.conversationId', '=', conversationId)
    .executeTakeFirst();
}

/** Keeps the bytes fetched from the provider, so the next look is served from here. */
export async function keepFetchedContent(db: DbOrTx, attachmentId: string, content: Buffer, contentType: string | null): Promise<void> {
  await db
    .updateTable('messageAttachments')
    .set((eb) => ({ content, sizeBytes: content.length, fetchedAt: new Date(), contentType: eb.fn.coalesce('contentType', eb.val(contentType)) }))
    .where('id', '=', attachmentId)
    .execute();
}

/** The attachments of these conversations' messages, for erasure and retention: nothing of them stays. */
export async function deleteAttachmentsOf(tx: Tx, conversationIds: string[]): Promise<void> {
  if (!conversationIds.length) return;
  await tx
    .deleteFrom('messageAttachments')
    .where('messageId', 'in', (eb) => eb.selectFrom('messages').select('id').where('conversationId', 'in', conversationIds))
    .execute();
}
