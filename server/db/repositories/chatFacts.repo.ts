/** A website chat as the console shows and accepts it (029_web_chat chat_sessions; the widget side has its own repo). */
import type { DbOrTx, Tx } from '../client';

/** What the conversation page shows of a chat: the visitor's page and pre-chat data, and the chat's state. */
export function findChatFacts(db: DbOrTx, conversationId: string) {
  return db
    .selectFrom('chatSessions as s')
    .innerJoin('chatSites as site', 'site.id', 's.siteId')
    .leftJoin('users as u', 'u.id', 's.acceptedBy')
    .select([
      's.conversationId',
      's.pageUrl',
      's.prechatName',
      's.prechatEmail',
      's.consentAt',
      's.language',
      's.startedAt',
      's.acceptedAt',
      's.acceptedBy',
      's.endedAt',
      's.endReason',
      's.visitorReadAt',
      'site.name as siteName',
      'u.name as acceptedByName',
    ])
    .where('s.conversationId', '=', conversationId)
    .executeTakeFirst();
}
export type ChatFacts = NonNullable<Awaited<ReturnType<typeof findChatFacts>>>;

export function lockChatForAccept(tx: Tx, conversationId: string) {
  return tx
    .selectFrom('chatSessions')
    .select(['conversationId', 'startedAt', 'acceptedAt', 'endedAt'])
    .where('conversationId', '=', conversationId)
    .forUpdate()
    .executeTakeFirst();
}

export async function setChatAccepted(tx: Tx, conversationId: string, userId: string, at: Date): Promise<void> {
  await tx.updateTable('chatSessions').set({ acceptedAt: at, acceptedBy: userId }).where('conversationId', '=', conversationId).execute();
}
