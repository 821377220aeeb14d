/** The few queries only the demo loader needs. */
import { sql } from 'kysely';
import type { DbOrTx } from '../client';

export async function anyUserExists(db: DbOrTx): Promise<boolean> {
  return (await db.selectFrom('users').select('id').limit(1).executeTakeFirst()) !== undefined;
}

/** Demo conversations are loaded now but happened in the past: date each one from its first message. */
export function backdateConversations(db: DbOrTx, ids: string[]) {
  return sql`
    UPDATE conversations c SET created_at = first.posted_at
    FROM (SELECT conversation_id, min(posted_at) AS posted_at FROM messages WHERE conversation_id = ANY(${ids}::uuid[]) GROUP BY conversation_id) first
    WHERE c.id = first.conversation_id`.execute(db);
}

/** The demo's replies in time order, with who wrote them and the conversation's assignee (for SLA settling). */
export function listOutboundForSla(db: DbOrTx, conversationIds: string[]) {
  if (conversationIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('messages as m')
    .innerJoin('conversations as c', 'c.id', 'm.conversationId')
    .leftJoin('users as u', 'u.id', 'm.authorUserId')
    .select(['m.id', 'm.conversationId', 'm.channelId', 'm.postedAt', 'm.authorUserId', 'u.email as authorEmail', 'c.assigneeId'])
    .where('m.conversationId', 'in', conversationIds)
    .where('m.direction', '=', 'outbound')
    .orderBy('m.postedAt')
    .execute();
}
