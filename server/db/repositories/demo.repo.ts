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
