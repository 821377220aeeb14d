/** Conversations: threading look-ups, the inbox list, one conversation with its messages. */
import { type RawBuilder, sql } from 'kysely';
import { type Db, type DbOrTx, readWithOwnPlans, type Tx } from '../client';
import { compiledOnce, compiledPerShape } from '../compiledOnce';
import type { ConversationStatus, Priority, SentimentLabel, SlaState } from '../schema';
import { conversationDueColumns } from './sla.repo';

export type InboxFilter = {
  status?: ConversationStatus[];
  channelId?: string;
  /** a user id, or 'none' for unassigned */
  assigneeId?: string;
  /**
   * due: the earliest due time of a post awaiting an answer first, conversations with none last;
   * urgent: due soonest, then priority, then waiting longest (conversations_urgency_idx)
   */
  sort: 'newest' | 'oldest' | 'due' | 'urgent';
  /** message text (German and English stemming), customer name, handle or e-mail, case number */
  q?: string;
  tag?: string;
  sla?: 'breached' | 'due1h' | 'warning' | 'none';
  priority?: Priority;
  teamId?: string;
  /** days (YYYY-MM-DD) of the last activity, in `timeZone` */
  from?: string;
  to?: string;
  timeZone?: string;
  /** whose read state `unread` reports (and, with onlyUnread, filters by) */
  viewerId?: string;
  onlyUnread?: boolean;
  language?: string;
  sentiment?: SentimentLabel;
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

/**
 * The clocks of the timed posts that decide a conversation's SLA state (domain/sla/policy.ts, conversationSlaState):
 * every post still awaiting an answer, and the latest answered one (ties in posted_at: the larger id), which decides
 * when none awaits. Not the answered posts before it: a long website chat has hundreds, and reading each of them for
 * every row of the inbox made the list's statement grow with the conversations' length (26 rows of 120 messages
 * each: 12 ms, not 1).
 */
function slaPostsOf(alias: string) {
  const conversationId = sql.ref(`${alias}.id`);
  const clocks = sql`m.sla_due_at, m.sla_warn_at, m.sla_state, m.responded_at, m.posted_at, m.sla_paused_at`;
  return sql<
    { slaDueAt: string; slaWarnAt: string | null; slaState: SlaState | null; respondedAt: string | null; postedAt: string; slaPausedAt: string | null }[]
  >`(
    SELECT coalesce(json_agg(json_build_object('slaDueAt', p.sla_due_at, 'slaWarnAt', p.sla_warn_at, 'slaState', p.sla_state,
      'respondedAt', p.responded_at, 'postedAt', p.posted_at, 'slaPausedAt', p.sla_paused_at)), '[]'::json)
    FROM (
      SELECT ${clocks} FROM messages m
        WHERE m.conversation_id = ${conversationId} AND m.sla_due_at IS NOT NULL AND m.responded_at IS NULL
      UNION ALL
      (SELECT ${clocks} FROM messages m
        WHERE m.conversation_id = ${conversationId} AND m.sla_due_at IS NOT NULL AND m.responded_at IS NOT NULL
        ORDER BY m.posted_at DESC, m.id DESC LIMIT 1)
    ) p)`.as('slaPosts');
}

/** Priority as a rank, 0 = urgent; the same expression as in conversations_urgency_idx. */
const PRIORITY_RANK = sql`(CASE c.priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END)`;

/** Both stemmings of a search text: "Bestellungen" finds "Bestellung", "orders" finds "order". */
const searchQuery = (text: string) => sql`(websearch_to_tsquery('german', ${text}) || websearch_to_tsquery('english', ${text}))`;

/** A LIKE pattern matching the text anywhere, its wildcards taken literally. */
const containing = (text: string) => `%${text.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

/** The case number a search text names (`#1315` or `1315`), if it names one. */
function caseNumberIn(text: string): string | null {
  return /^#?(\d{1,15})$/.exec(text.trim())?.[1] ?? null;
}

/** A status as an SQL literal; the routes admit known statuses only, and this admits nothing but a plain word. */
function statusLiteral(status: ConversationStatus) {
  if (!/^[a-z]{1,20}$/.test(status)) throw new RangeError(`not a status: ${JSON.stringify(status).slice(0, 40)}`);
  return sql.lit(status);
}

/** The filter as one SQL condition on `conversations c` (true when nothing is filtered). */
function inboxWhere(f: Omit<InboxFilter, 'sort' | 'limit' | 'offset'>): RawBuilder<boolean> {
  const all: RawBuilder<unknown>[] = [];
  // Written in (statuses are a closed set): how many rows a status list matches differs a thousandfold, open
  // against closed, and a prepared statement's generic plan would otherwise be made for all of them at once.
  // One text per set of statuses, however the list was written ("saved,new,new" is "new,saved").
  if (f.status?.length) all.push(sql`c.status IN (${sql.join([...new Set(f.status)].sort().map(statusLiteral))})`);
  if (f.channelId) all.push(sql`c.channel_id = ${f.channelId}`);
  if (f.assigneeId === 'none') all.push(sql`c.assignee_id IS NULL`);
  else if (f.assigneeId) all.push(sql`c.assignee_id = ${f.assigneeId}`);
  if (f.priority) all.push(sql`c.priority = ${f.priority}`);
  if (f.teamId) all.push(sql`c.team_id = ${f.teamId}`);
  const tz = f.timeZone ?? 'Europe/Berlin';
  if (f.from) all.push(sql`c.last_message_at >= (${f.from}::date)::timestamp AT TIME ZONE ${tz}`);
  if (f.to) all.push(sql`c.last_message_at < (${f.to}::date + 1)::timestamp AT TIME ZONE ${tz}`);
  if (f.sla === 'breached') all.push(sql`c.response_due_at <= now()`);
  if (f.sla === 'due1h') all.push(sql`c.response_due_at > now() AND c.response_due_at <= now() + interval '1 hour'`);
  if (f.sla === 'warning') {
    all.push(sql`EXISTS (SELECT 1 FROM messages w WHERE w.conversation_id = c.id AND w.sla_due_at IS NOT NULL
      AND w.responded_at IS NULL AND w.sla_paused_at IS NULL AND w.sla_warn_at <= now() AND w.sla_due_at > now())`);
  }
  if (f.sla === 'none') all.push(sql`c.sla_policy_id IS NULL`);
  if (f.onlyUnread && f.viewerId) all.push(sql`NOT ${readBy(f.viewerId)}`);
  if (f.language) all.push(sql`c.language = ${f.language}`);
  if (f.sentiment) all.push(sql`c.sentiment_label = ${f.sentiment}`);
  if (f.tag) all.push(sql`EXISTS (SELECT 1 FROM conversation_tags tg WHERE tg.conversation_id = c.id AND tg.tag = ${f.tag})`);
  if (f.q) {
    const like = containing(f.q.replace(/^@/, ''));
    const caseNumber = caseNumberIn(f.q);
    all.push(sql`c.id IN (
      SELECT sm.conversation_id FROM messages sm WHERE sm.search_tsv @@ ${searchQuery(f.q)}
      UNION
      SELECT sc.id FROM conversations sc WHERE sc.contact_id IN (
        SELECT ct.id FROM contacts ct WHERE lower(ct.name) LIKE ${like}
        UNION SELECT ci.contact_id FROM contact_identities ci WHERE lower(ci.handle) LIKE ${like} OR lower(ci.name) LIKE ${like})
      ${caseNumber === null ? sql`` : sql`UNION SELECT cn.id FROM conversations cn WHERE cn.case_number = ${caseNumber}::bigint`})`);
  }
  return all.length ? sql<boolean>`(${sql.join(all, sql` AND `)})` : sql<boolean>`true`;
}

/** Whether the user has seen the conversation's last activity. */
const readBy = (userId: string) =>
  sql<boolean>`EXISTS (SELECT 1 FROM conversation_reads rd WHERE rd.conversation_id = c.id AND rd.user_id = ${userId} AND rd.read_at >= c.last_message_at)`;

/**
 * The page's size written into the statement, not sent as a parameter: a prepared statement's generic plan then
 * knows how many rows are wanted (blind to `LIMIT $n`, PostgreSQL assumed a tenth of the table, found that plan
 * dearer and planned the list afresh on every request, 1.4 ms of its 3 ms). The start is written in only for the
 * first page, which is nearly every request; further pages share one text with the start as a parameter (planned
 * for it each time), so paging deep does not use up a connection's prepared statements. Whole numbers only.
 */
function pageLiterals(f: Pick<InboxFilter, 'limit' | 'offset'>) {
  if (!Number.isSafeInteger(f.limit) || !Number.isSafeInteger(f.offset) || f.limit < 0 || f.offset < 0) {
    throw new RangeError(`an inbox page is whole rows: limit ${f.limit}, offset ${f.offset}`);
  }
  return { limit: sql.lit(f.limit), offset: f.offset === 0 ? sql.lit(0) : f.offset };
}

/**
 * A search is planned for its text every time: the generic plan of a prepared statement cannot tell a customer's
 * name from a word in every post (a name search took 200 ms with it, 40 ms planned for the name). Inside a
 * caller's transaction the statements run as they are, that transaction's settings left alone.
 */
function planned<T>(db: DbOrTx, f: { q?: string }, run: (db: DbOrTx) => Promise<T>): Promise<T> {
  return f.q && !db.isTransaction ? readWithOwnPlans(db as Db, run) : run(db);
}

export function listInbox(db: DbOrTx, f: InboxFilter) {
  return planned(db, f, (d) => inboxRows(d, f));
}

/** The filter's fields that reach the list's statement as parameters; the rest of the filter shapes its text. */
const INBOX_VALUES = ['channelId', 'assigneeId', 'priority', 'teamId', 'from', 'to', 'timeZone', 'viewerId', 'language', 'sentiment', 'tag'] as const;

/**
 * Which of those a filter sets (as inboxWhere and the list read them: a value that is not set leaves its condition
 * out; the time zone counts only with a day range, 'none' for the assignee is part of the text), and the rest of
 * the filter that shapes the statement. A search or a later page is not shaped here (see inboxRows).
 */
function inboxShape(f: InboxFilter) {
  const set = INBOX_VALUES.filter((k) => {
    if (k === 'timeZone') return Boolean(f.from || f.to) && (f.timeZone ?? null) !== null;
    if (k === 'assigneeId') return Boolean(f.assigneeId) && f.assigneeId !== 'none';
    return Boolean(f[k]);
  });
  return {
    set,
    unassigned: f.assigneeId === 'none',
    status: f.status?.length ? [...new Set(f.status)].sort() : [],
    sla: f.sla ?? null,
    onlyUnread: Boolean(f.onlyUnread),
    sort: f.sort,
    limit: f.limit,
  };
}

type InboxShape = ReturnType<typeof inboxShape>;

/** The first page of a list without a search, compiled once per shape of its filter (db/compiledOnce.ts). */
const inboxFirstPage = compiledPerShape((db, values: Record<string, string>, shape: InboxShape) => {
  const f: InboxFilter = {
    sort: shape.sort,
    limit: shape.limit,
    offset: 0,
    status: shape.status,
    sla: shape.sla ?? undefined,
    onlyUnread: shape.onlyUnread,
    assigneeId: shape.unassigned ? 'none' : undefined,
  };
  return inboxQuery(db, Object.assign(f, Object.fromEntries(shape.set.map((k) => [k, values[k]]))));
});

/** A search (planned for its text, its words transformed into the statement) and later pages are built each time. */
async function inboxRows(db: DbOrTx, f: InboxFilter) {
  if (f.q || f.offset !== 0) return inboxQuery(db, f).execute();
  const shape = inboxShape(f);
  return inboxFirstPage(db, shape, Object.fromEntries(shape.set.map((k) => [k, String(f[k])])));
}

function inboxQuery(db: DbOrTx, f: InboxFilter) {
  const q = db
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
      'c.priority',
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
      (f.viewerId ? sql<boolean>`NOT ${readBy(f.viewerId)}` : sql<boolean>`false`).as('unread'),
      'c.language',
      'c.sentimentLabel',
      sql<string[]>`ARRAY(SELECT tg.tag FROM conversation_tags tg WHERE tg.conversation_id = c.id ORDER BY tg.tag)`.as('tags'),
    ])
    .where(inboxWhere(f));
  const page = pageLiterals(f);
  const dir = f.sort === 'oldest' ? 'asc' : 'desc';
  // newest/oldest: ties are broken by id the other way round, the order of conversations_last_message_idx (read
  // forwards or backwards): with the same direction PostgreSQL sorted every tie itself, all 10 000 rows of an
  // import that shared one timestamp, on every inbox request.
  const ordered =
    f.sort === 'urgent'
      ? q.orderBy(sql`c.response_due_at ASC NULLS LAST`).orderBy(PRIORITY_RANK).orderBy('c.lastMessageAt', 'asc').orderBy('c.id')
      : f.sort === 'due'
        ? q.orderBy(sql`c.response_due_at ASC NULLS LAST`).orderBy('c.id')
        : q.orderBy('c.lastMessageAt', dir).orderBy('c.id', dir === 'desc' ? 'asc' : 'desc');
  return ordered.limit(page.limit).offset(page.offset);
}

/** How many conversations match a filter, counted up to `cap` (a saved view's badge says "cap+" beyond). */
export async function countInbox(db: DbOrTx, f: Omit<InboxFilter, 'sort' | 'limit' | 'offset'>, cap: number): Promise<number> {
  const row = await planned(db, f, (d) =>
    d
      .selectFrom((sub) => sub.selectFrom('conversations as c').select('c.id').where(inboxWhere(f)).limit(cap).as('m'))
      .select(sql<string>`count(*)`.as('n'))
      .executeTakeFirstOrThrow(),
  );
  return Number(row.n);
}

/** The ids matching a filter, most urgent first, at most `cap` (bulk actions on "all matching"). */
export async function inboxIds(db: DbOrTx, f: Omit<InboxFilter, 'sort' | 'limit' | 'offset'>, cap: number): Promise<string[]> {
  const rows = await planned(db, f, (d) =>
    d
      .selectFrom('conversations as c')
      .select('c.id')
      .where(inboxWhere(f))
      .orderBy(sql`c.response_due_at ASC NULLS LAST`)
      .orderBy(PRIORITY_RANK)
      .orderBy('c.lastMessageAt', 'asc')
      .orderBy('c.id')
      .limit(cap)
      .execute(),
  );
  return rows.map((r) => r.id);
}

/** Marks where ts_headline found a search hit: start and end of each hit (private-use characters). */
export const HIT_START = '\uE000';
export const HIT_END = '\uE001';

/** Per conversation, its latest message that matches the search, with the hits marked (HIT_START … HIT_END). */
export async function searchHeadlines(db: DbOrTx, conversationIds: string[], text: string): Promise<Map<string, string>> {
  if (conversationIds.length === 0) return new Map();
  const options = `StartSel=${HIT_START}, StopSel=${HIT_END}, MaxWords=35, MinWords=15`;
  const rows = await sql<{ conversationId: string; german: string; english: string }>`
    SELECT DISTINCT ON (m.conversation_id) m.conversation_id,
      ts_headline('german', m.text, websearch_to_tsquery('german', ${text}), ${options}) AS german,
      ts_headline('english', m.text, websearch_to_tsquery('english', ${text}), ${options}) AS english
    FROM messages m
    WHERE m.conversation_id = ANY(${conversationIds}::uuid[]) AND m.search_tsv @@ ${searchQuery(text)}
    ORDER BY m.conversation_id, m.posted_at DESC, m.id DESC`.execute(db);
  return new Map(rows.rows.map((r) => [r.conversationId, r.german.includes(HIT_START) ? r.german : r.english]));
}

/**
 * The user has seen the conversation up to its last activity (`at`); never moves back. A view of what they
 * have read already writes nothing: ON CONFLICT would lock their read row even when its WHERE keeps it as it is.
 */
export async function markConversationRead(db: DbOrTx, userId: string, conversationId: string, at: Date): Promise<void> {
  await sql`
    INSERT INTO conversation_reads (user_id, conversation_id, read_at)
    SELECT ${userId}::uuid, ${conversationId}::uuid, ${at}::timestamptz
    WHERE NOT EXISTS (SELECT 1 FROM conversation_reads r WHERE r.user_id = ${userId} AND r.conversation_id = ${conversationId} AND r.read_at >= ${at})
    ON CONFLICT (user_id, conversation_id) DO UPDATE SET read_at = excluded.read_at
    WHERE conversation_reads.read_at < excluded.read_at`.execute(db);
}

function conversationDetail(db: DbOrTx, id: string) {
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
      'c.routingReason',
      'c.routedAt',
      slaPostsOf('c'),
      sql<string | null>`(SELECT t.name FROM topics t WHERE t.id = c.topic_id)`.as('topicName'),
    ])
    .where('c.id', '=', id);
}

export function findConversationDetail(db: DbOrTx, id: string) {
  return conversationDetail(db, id).executeTakeFirst();
}

/**
 * The detail with what the conversation page adds, in the same statement: the workflow state (team,
 * reminder, close reason, priority, and updated_at, the version stale forms are checked against), the
 * tags, the most recently stored message (what a reply form says its author has seen), and whether the
 * viewer has read up to its latest message already (`readByViewer`: then the page writes no read marker).
 */
export async function findConversationForPage(db: DbOrTx, id: string, viewerId: string) {
  return (await conversationForPage(db, { id, viewerId }))[0];
}

const conversationForPage = compiledOnce((db, { id, viewerId }: { id: string; viewerId: string }) =>
  conversationDetail(db, id).select([
    readBy(viewerId).as('readByViewer'),
    'c.teamId',
    'c.remindAt',
    'c.closeReason',
    'c.priority',
    'c.updatedAt',
    sql<string | null>`(SELECT tm.name FROM teams tm WHERE tm.id = c.team_id)`.as('teamName'),
    sql<string[]>`ARRAY(SELECT tg.tag FROM conversation_tags tg WHERE tg.conversation_id = c.id ORDER BY tg.tag)`.as('tags'),
    sql<string | null>`(SELECT lm.id FROM messages lm WHERE lm.conversation_id = c.id ORDER BY lm.created_at DESC, lm.id DESC LIMIT 1)`.as('latestMessageId'),
    // the thread shows a window of its messages; a rejected reply to rework may be older than that
    sql<{ direction: 'outbound'; authorUserId: string | null; deliveryState: string | null; text: string } | null>`(
      SELECT json_build_object('direction', o.direction, 'authorUserId', o.author_user_id, 'deliveryState', o.delivery_state, 'text', o.text)
        FROM messages o WHERE o.conversation_id = c.id AND o.direction = 'outbound'
       ORDER BY o.posted_at DESC, o.created_at DESC, o.id DESC LIMIT 1)`.as('latestReply'),
  ]),
);

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
  language: string | null;
  region: string | null;
  slaPolicyId: string | null;
  firstResponseDueAt: Date | null;
  resolutionDueAt: Date | null;
  responseDueAt: Date | null;
  nextResponseDueAt: Date | null;
  sentimentLabel: SentimentLabel | null;
};

/** New conversations in one INSERT; case numbers are drawn in the given order. Returns case number per id. */
export async function insertConversations(tx: Tx, rows: NewConversationRow[]): Promise<Map<string, string>> {
  if (rows.length === 0) return new Map();
  const col = <K extends keyof NewConversationRow>(k: K) => rows.map((r) => r[k]);
  const inserted = await sql<{ id: string; caseNumber: string }>`
    INSERT INTO conversations (id, case_number, channel_id, contact_id, last_message_at, topic_id, thread_key, sla_policy_id,
      first_response_due_at, resolution_due_at, response_due_at, next_response_due_at, language, region, sentiment_label)
    SELECT r.id, nextval('case_number_seq'), r.channel_id, r.contact_id, r.last_message_at, r.topic_id, r.thread_key, r.sla_policy_id,
      r.first_response_due_at, r.resolution_due_at, r.response_due_at, r.next_response_due_at, r.language, r.region, r.sentiment_label
    FROM (SELECT * FROM unnest(${col('id')}::uuid[], ${col('channelId')}::uuid[], ${col('contactId')}::uuid[], ${col('lastMessageAt')}::timestamptz[],
      ${col('topicId')}::uuid[], ${col('threadKey')}::text[], ${col('slaPolicyId')}::uuid[], ${col('firstResponseDueAt')}::timestamptz[],
      ${col('resolutionDueAt')}::timestamptz[], ${col('responseDueAt')}::timestamptz[], ${col('nextResponseDueAt')}::timestamptz[],
      ${col('language')}::text[], ${col('region')}::text[], ${col('sentimentLabel')}::text[])
      WITH ORDINALITY AS u(id, channel_id, contact_id, last_message_at, topic_id, thread_key, sla_policy_id, first_response_due_at,
        resolution_due_at, response_due_at, next_response_due_at, language, region, sentiment_label, ord)
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
  /** its latest post's detected language (kept only where the conversation has none yet) and sentiment */
  language: string | null;
  sentimentLabel: SentimentLabel | null;
};

/**
 * Existing conversations after a batch: status, last message time, first-response targets where the
 * batch started them, language and sentiment, and the "due soonest" keys recomputed from their awaiting
 * posts — one UPDATE, so each row gets one new version.
 */
export async function updateConversationsAfterInbound(tx: Tx, rows: ConversationAfterInbound[]): Promise<void> {
  if (rows.length === 0) return;
  const sorted = [...rows].sort((a, b) => (a.id < b.id ? -1 : 1));
  await sql`
    UPDATE conversations c SET status = v.status, last_message_at = v.last_message_at, updated_at = now(),
      sla_policy_id = CASE WHEN v.set_targets THEN v.sla_policy_id ELSE c.sla_policy_id END,
      first_response_due_at = CASE WHEN v.set_targets THEN v.first_response_due_at ELSE c.first_response_due_at END,
      resolution_due_at = CASE WHEN v.set_targets THEN v.resolution_due_at ELSE c.resolution_due_at END,
      language = COALESCE(c.language, v.language), sentiment_label = COALESCE(v.sentiment_label, c.sentiment_label),
      ${conversationDueColumns}
    FROM unnest(${sorted.map((r) => r.id)}::uuid[], ${sorted.map((r) => r.status)}::text[], ${sorted.map((r) => r.lastMessageAt)}::timestamptz[],
      ${sorted.map((r) => r.firstTargets !== null)}::boolean[], ${sorted.map((r) => r.firstTargets?.slaPolicyId ?? null)}::uuid[],
      ${sorted.map((r) => r.firstTargets?.firstResponseDueAt ?? null)}::timestamptz[], ${sorted.map((r) => r.firstTargets?.resolutionDueAt ?? null)}::timestamptz[],
      ${sorted.map((r) => r.language)}::text[], ${sorted.map((r) => r.sentimentLabel)}::text[])
      AS v(id, status, last_message_at, set_targets, sla_policy_id, first_response_due_at, resolution_due_at, language, sentiment_label)
    WHERE c.id = v.id`.execute(tx);
}
