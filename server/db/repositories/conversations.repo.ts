/** Conversations: threading look-ups, the inbox list, one conversation with its messages. */
import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../client';
import type { ConversationStatus, SlaState } from '../schema';
import { conversationDueColumns } from './sla.repo';

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

/** Locks the row for the rest of the transaction: concurrent changes to one conversation queue up. */
export function lockConversation(tx: Tx, id: string) {
  return tx.selectFrom('conversations').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function updateConversation(tx: Tx, id: string, set: { status?: ConversationStatus; assigneeId?: string | null; lastMessageAt?: Date }) {
  return tx
    .updateTable('conversations')
    .set({ ...set, updatedAt: new Date() })
    .where('id', '=', id)
    .execute();
}

/** The clocks of a conversation's timed posts (the conversation's SLA state is derived from them). */
function slaPostsOf(alias: string) {
  return sql<
    { slaDueAt: string; slaWarnAt: string | null; slaState: SlaState | null; respondedAt: string | null; postedAt: string; slaPausedAt: string | null }[]
  >`(
    SELECT coalesce(json_agg(json_build_object('slaDueAt', m.sla_due_at, 'slaWarnAt', m.sla_warn_at, 'slaState', m.sla_state,
      'respondedAt', m.responded_at, 'postedAt', m.posted_at, 'slaPausedAt', m.sla_paused_at)), '[]'::json)
    FROM messages m WHERE m.conversation_id = ${sql.ref(alias + '.id')} AND m.sla_due_at IS NOT NULL)`.as('slaPosts');
}

export async function listInbox(db: DbOrTx, f: InboxFilter) {
  let q = db
    .selectFrom('conversations as c')
    .innerJoin('channels as ch', 'ch.id', 'c.channelId')
    .innerJoin('contacts as ct', 'ct.id', 'c.contactId')
    .leftJoin('users as u', 'u.id', 'c.assigneeId')
    .select([
      'c.id',
      'c.caseNumber',
      'c.status',
      'c.lastMessageAt',
      'c.assigneeId',
      'c.channelId',
      'ch.name as channelName',
      'ch.kind as channelKind',
      'ct.name as contactName',
      'u.name as assigneeName',
      sql<string | null>`(SELECT left(m.text, 160) FROM messages m WHERE m.conversation_id = c.id
        ORDER BY m.posted_at DESC, m.id DESC LIMIT 1)`.as('snippet'),
      'c.responseDueAt',
      'c.slaPolicyId',
      slaPostsOf('c'),
      sql<string | null>`(SELECT t.name FROM topics t WHERE t.id = c.topic_id)`.as('topicName'),
    ]);
  if (f.status?.length) q = q.where('c.status', 'in', f.status);
  if (f.channelId) q = q.where('c.channelId', '=', f.channelId);
  if (f.assigneeId === 'none') q = q.where('c.assigneeId', 'is', null);
  else if (f.assigneeId) q = q.where('c.assigneeId', '=', f.assigneeId);
  if (f.q) {
    const text = f.q;
    q = q.where(({ exists, selectFrom }) =>
      exists(
        selectFrom('messages as sm')
          .select(sql`1`.as('one'))
          .whereRef('sm.conversationId', '=', 'c.id')
          .where(sql<boolean>`sm.search_tsv @@ (websearch_to_tsquery('german', ${text}) || websearch_to_tsquery('english', ${text}))`),
      ),
    );
  }
  if (f.tag) {
    const tag = f.tag;
    q = q.where(({ exists, selectFrom }) =>
      exists(selectFrom('conversationTags as tg').select(sql`1`.as('one')).whereRef('tg.conversationId', '=', 'c.id').where('tg.tag', '=', tag)),
    );
  }
  if (f.sort === 'due') {
    return q.orderBy(sql`c.response_due_at ASC NULLS LAST`).orderBy('c.id').limit(f.limit).offset(f.offset).execute();
  }
  const dir = f.sort === 'oldest' ? 'asc' : 'desc';
  // Ties are broken by id the other way round, the order of conversations_last_message_idx (read forwards
  // or backwards): with the same direction PostgreSQL sorted every tie itself, all 10 000 rows of an
  // import that shared one timestamp, on every inbox request.
  return q
    .orderBy('c.lastMessageAt', dir)
    .orderBy('c.id', dir === 'desc' ? 'asc' : 'desc')
    .limit(f.limit)
    .offset(f.offset)
    .execute();
}

export function findConversationDetail(db: DbOrTx, id: string) {
  return db
    .selectFrom('conversations as c')
    .innerJoin('channels as ch', 'ch.id', 'c.channelId')
    .innerJoin('contacts as ct', 'ct.id', 'c.contactId')
    .leftJoin('users as u', 'u.id', 'c.assigneeId')
    .select([
      'c.id',
      'c.caseNumber',
      'c.status',
      'c.lastMessageAt',
      'c.assigneeId',
      'c.channelId',
      'c.createdAt',
      'c.threadKey',
      'ch.name as channelName',
      'ch.kind as channelKind',
      'ct.name as contactName',
      'ct.id as contactId',
      'u.name as assigneeName',
      'c.firstResponseDueAt',
      'c.nextResponseDueAt',
      'c.resolutionDueAt',
      'c.responseDueAt',
      slaPostsOf('c'),
      sql<string | null>`(SELECT t.name FROM topics t WHERE t.id = c.topic_id)`.as('topicName'),
    ])
    .where('c.id', '=', id)
    .executeTakeFirst();
}

// ---- set-based ingest (domain/conversations/ingestBatch.ts) -----------------------------------

export type ThreadCandidate = {
  id: string;
  caseNumber: string;
  channelId: string;
  contactId: string;
  status: ConversationStatus;
  assigneeId: string | null;
  lastMessageAt: Date;
  topicId: string | null;
  threadKey: string | null;
  /** whether the conversation already holds an inbound post (its next one is timed as a next response) */
  hasInbound: boolean;
};

/**
 * The conversations a batch may thread onto, locked in id order (concurrent batches queue up instead of
 * deadlocking): the given ones (parents of replies) and every open conversation of the given contacts
 * on the given channels.
 */
export async function lockThreadCandidates(tx: Tx, ids: string[], contacts: { channelId: string; contactId: string }[]): Promise<ThreadCandidate[]> {
  if (ids.length === 0 && contacts.length === 0) return [];
  const rows = await sql<Omit<ThreadCandidate, 'hasInbound'>>`
    SELECT c.id, c.case_number::text AS case_number, c.channel_id, c.contact_id, c.status, c.assignee_id, c.last_message_at, c.topic_id, c.thread_key
    FROM conversations c
    WHERE c.id IN (
      SELECT unnest(${ids}::uuid[])
      UNION
      -- a join on the contact index: an OR with the id list above made PostgreSQL scan every conversation
      SELECT o.id FROM unnest(${contacts.map((c) => c.contactId)}::uuid[], ${contacts.map((c) => c.channelId)}::uuid[]) AS k(contact_id, channel_id)
      JOIN conversations o ON o.contact_id = k.contact_id AND o.channel_id = k.channel_id AND o.status <> 'closed')
    ORDER BY c.id
    FOR UPDATE`.execute(tx);
  if (rows.rows.length === 0) return [];
  const withInbound = await sql<{ id: string }>`
    SELECT ids.id FROM unnest(${rows.rows.map((r) => r.id)}::uuid[]) AS ids(id)
    WHERE EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = ids.id AND m.direction = 'inbound')`.execute(tx);
  const inbound = new Set(withInbound.rows.map((r) => r.id));
  return rows.rows.map((r) => ({ ...r, hasInbound: inbound.has(r.id) }));
}

export type NewConversationRow = {
  id: string;
  channelId: string;
  contactId: string;
  lastMessageAt: Date;
  topicId: string | null;
  threadKey: string | null;
  slaPolicyId: string | null;
  firstResponseDueAt: Date | null;
  resolutionDueAt: Date | null;
  responseDueAt: Date | null;
  nextResponseDueAt: Date | null;
};

/** New conversations in one INSERT; case numbers are drawn in the given order. Returns case number per id. */
export async function insertConversations(tx: Tx, rows: NewConversationRow[]): Promise<Map<string, string>> {
  if (rows.length === 0) return new Map();
  const col = <K extends keyof NewConversationRow>(k: K) => rows.map((r) => r[k]);
  const inserted = await sql<{ id: string; caseNumber: string }>`
    INSERT INTO conversations (id, case_number, channel_id, contact_id, last_message_at, topic_id, thread_key, sla_policy_id,
      first_response_due_at, resolution_due_at, response_due_at, next_response_due_at)
    SELECT r.id, nextval('case_number_seq'), r.channel_id, r.contact_id, r.last_message_at, r.topic_id, r.thread_key, r.sla_policy_id,
      r.first_response_due_at, r.resolution_due_at, r.response_due_at, r.next_response_due_at
    FROM (SELECT * FROM unnest(${col('id')}::uuid[], ${col('channelId')}::uuid[], ${col('contactId')}::uuid[], ${col('lastMessageAt')}::timestamptz[],
      ${col('topicId')}::uuid[], ${col('threadKey')}::text[], ${col('slaPolicyId')}::uuid[], ${col('firstResponseDueAt')}::timestamptz[],
      ${col('resolutionDueAt')}::timestamptz[], ${col('responseDueAt')}::timestamptz[], ${col('nextResponseDueAt')}::timestamptz[])
      WITH ORDINALITY AS u(id, channel_id, contact_id, last_message_at, topic_id, thread_key, sla_policy_id, first_response_due_at,
        resolution_due_at, response_due_at, next_response_due_at, ord)
      ORDER BY u.ord) r
    RETURNING id, case_number::text AS case_number`.execute(tx);
  return new Map(inserted.rows.map((r) => [r.id, r.caseNumber]));
}

export type ConversationAfterInbound = {
  id: string;
  status: ConversationStatus;
  lastMessageAt: Date;
  /** set when the batch brought the conversation's first inbound post */
  firstTargets: { slaPolicyId: string; firstResponseDueAt: Date; resolutionDueAt: Date | null } | null;
};

/**
 * Existing conversations after a batch: status, last message time, first-response targets where the
 * batch started them, and the "due soonest" keys recomputed from their awaiting posts.
 */
export async function updateConversationsAfterInbound(tx: Tx, rows: ConversationAfterInbound[]): Promise<void> {
  if (rows.length === 0) return;
  const sorted = [...rows].sort((a, b) => (a.id < b.id ? -1 : 1));
  await sql`
    UPDATE conversations c SET status = v.status, last_message_at = v.last_message_at, updated_at = now(),
      sla_policy_id = CASE WHEN v.set_targets THEN v.sla_policy_id ELSE c.sla_policy_id END,
      first_response_due_at = CASE WHEN v.set_targets THEN v.first_response_due_at ELSE c.first_response_due_at END,
      resolution_due_at = CASE WHEN v.set_targets THEN v.resolution_due_at ELSE c.resolution_due_at END,
      ${conversationDueColumns}
    FROM unnest(${sorted.map((r) => r.id)}::uuid[], ${sorted.map((r) => r.status)}::text[], ${sorted.map((r) => r.lastMessageAt)}::timestamptz[],
      ${sorted.map((r) => r.firstTargets !== null)}::boolean[], ${sorted.map((r) => r.firstTargets?.slaPolicyId ?? null)}::uuid[],
      ${sorted.map((r) => r.firstTargets?.firstResponseDueAt ?? null)}::timestamptz[], ${sorted.map((r) => r.firstTargets?.resolutionDueAt ?? null)}::timestamptz[])
      AS v(id, status, last_message_at, set_targets, sla_policy_id, first_response_due_at, resolution_due_at)
    WHERE c.id = v.id`.execute(tx);
}
