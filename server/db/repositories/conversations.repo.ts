/** Conversations: threading look-ups, the inbox list, one conversation with its messages. */
import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../client';
import type { ConversationStatus, SlaState } from '../schema';

export type InboxFilter = {
  status?: ConversationStatus[];
  channelId?: string;
  /** a user id, or 'none' for unassigned */
  assigneeId?: string;
  /** due: the earliest due time of a post awaiting an answer first, conversations with none last */
  sort: 'newest' | 'oldest' | 'due';
  /** full-text search over the conversation's messages, German and English stemming */
  q?: string;
  tag?: string;
  limit: number;
  offset: number;
};

export function conversationOfMessage(tx: Tx, channelId: string, externalId: string) {
  return tx.selectFrom('messages').select('conversationId')
    .where('channelId', '=', channelId).where('externalId', '=', externalId).executeTakeFirst();
}

/** The contact's latest open conversation in one thread (threadKey null: public posts; 'dm': direct messages). */
export function openConversationOfContact(tx: Tx, channelId: string, contactId: string, threadKey: string | null = null) {
  return tx.selectFrom('conversations').select('id')
    .where('channelId', '=', channelId).where('contactId', '=', contactId).where('status', '<>', 'closed')
    .where((eb) => (threadKey === null ? eb('threadKey', 'is', null) : eb('threadKey', '=', threadKey)))
    .orderBy('lastMessageAt', 'desc').limit(1).executeTakeFirst();
}

export function insertConversation(tx: Tx, c: { channelId: string; contactId: string; lastMessageAt: Date; topicId?: string | null; threadKey?: string | null }) {
  return tx.insertInto('conversations').values(c).returningAll().executeTakeFirstOrThrow();
}

/** Locks the row for the rest of the transaction: concurrent changes to one conversation queue up. */
export function lockConversation(tx: Tx, id: string) {
  return tx.selectFrom('conversations').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function updateConversation(tx: Tx, id: string, set: { status?: ConversationStatus; assigneeId?: string | null; lastMessageAt?: Date }) {
  return tx.updateTable('conversations').set({ ...set, updatedAt: new Date() }).where('id', '=', id).execute();
}

/** The clocks of a conversation's timed posts (the conversation's SLA state is derived from them). */
function slaPostsOf(alias: string) {
  return sql<{ slaDueAt: string; slaWarnAt: string | null; slaState: SlaState | null; respondedAt: string | null; postedAt: string; slaPausedAt: string | null }[]>`(
    SELECT coalesce(json_agg(json_build_object('slaDueAt', m.sla_due_at, 'slaWarnAt', m.sla_warn_at, 'slaState', m.sla_state,
      'respondedAt', m.responded_at, 'postedAt', m.posted_at, 'slaPausedAt', m.sla_paused_at)), '[]'::json)
    FROM messages m WHERE m.conversation_id = ${sql.ref(alias + '.id')} AND m.sla_due_at IS NOT NULL)`.as('slaPosts');
}

export async function listInbox(db: DbOrTx, f: InboxFilter) {
  let q = db.selectFrom('conversations as c')
    .innerJoin('channels as ch', 'ch.id', 'c.channelId')
    .innerJoin('contacts as ct', 'ct.id', 'c.contactId')
    .leftJoin('users as u', 'u.id', 'c.assigneeId')
    .select([
      'c.id', 'c.caseNumber', 'c.status', 'c.lastMessageAt', 'c.assigneeId', 'c.channelId',
      'ch.name as channelName', 'ch.kind as channelKind', 'ct.name as contactName', 'u.name as assigneeName',
      sql<string | null>`(SELECT left(m.text, 160) FROM messages m WHERE m.conversation_id = c.id
        ORDER BY m.posted_at DESC, m.id DESC LIMIT 1)`.as('snippet'),
      'c.responseDueAt', 'c.slaPolicyId', slaPostsOf('c'),
      sql<string | null>`(SELECT t.name FROM topics t WHERE t.id = c.topic_id)`.as('topicName'),
    ]);
  if (f.status?.length) q = q.where('c.status', 'in', f.status);
  if (f.channelId) q = q.where('c.channelId', '=', f.channelId);
  if (f.assigneeId === 'none') q = q.where('c.assigneeId', 'is', null);
  else if (f.assigneeId) q = q.where('c.assigneeId', '=', f.assigneeId);
  if (f.q) {
    const text = f.q;
    q = q.where(({ exists, selectFrom }) => exists(selectFrom('messages as sm').select(sql`1`.as('one')).whereRef('sm.conversationId', '=', 'c.id')
      .where(sql<boolean>`sm.search_tsv @@ (websearch_to_tsquery('german', ${text}) || websearch_to_tsquery('english', ${text}))`)));
  }
  if (f.tag) {
    const tag = f.tag;
    q = q.where(({ exists, selectFrom }) => exists(selectFrom('conversationTags as tg').select(sql`1`.as('one'))
      .whereRef('tg.conversationId', '=', 'c.id').where('tg.tag', '=', tag)));
  }
  if (f.sort === 'due') {
    return q.orderBy(sql`c.response_due_at ASC NULLS LAST`).orderBy('c.id').limit(f.limit).offset(f.offset).execute();
  }
  const dir = f.sort === 'oldest' ? 'asc' : 'desc';
  return q.orderBy('c.lastMessageAt', dir).orderBy('c.id', dir).limit(f.limit).offset(f.offset).execute();
}

export function findConversationDetail(db: DbOrTx, id: string) {
  return db.selectFrom('conversations as c')
    .innerJoin('channels as ch', 'ch.id', 'c.channelId')
    .innerJoin('contacts as ct', 'ct.id', 'c.contactId')
    .leftJoin('users as u', 'u.id', 'c.assigneeId')
    .select([
      'c.id', 'c.caseNumber', 'c.status', 'c.lastMessageAt', 'c.assigneeId', 'c.channelId', 'c.createdAt',
      'ch.name as channelName', 'ch.kind as channelKind', 'ct.name as contactName', 'ct.id as contactId', 'u.name as assigneeName',
      'c.firstResponseDueAt', 'c.nextResponseDueAt', 'c.resolutionDueAt', 'c.responseDueAt', slaPostsOf('c'),
      sql<string | null>`(SELECT t.name FROM topics t WHERE t.id = c.topic_id)`.as('topicName'),
    ])
    .where('c.id', '=', id).executeTakeFirst();
}
