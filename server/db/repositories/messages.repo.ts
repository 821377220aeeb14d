/** Messages: inbound posts, outbound replies with their delivery state, internal notes. */
import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../client';
import { compiledOnce } from '../compiledOnce';
import type { DeliveryState, NewMessage, SentimentLabel } from '../schema';

export function insertMessage(tx: Tx, m: NewMessage) {
  return tx.insertInto('messages').values(m).returning(['id', 'postedAt']).executeTakeFirstOrThrow();
}

/** Every message of a conversation, oldest first (the API's conversation, a contact's data export). */
export function listMessages(db: DbOrTx, conversationId: string) {
  return messagesOf(db, { conversationId });
}

const messagesOf = compiledOnce((db, { conversationId }: { conversationId: string }) =>
  messageColumns(db).where('conversationId', '=', conversationId).orderBy('postedAt').orderBy('messages.createdAt').orderBy('messages.id'),
);

/** How the console orders a thread, `(posted_at, created_at, id)`: as a row value to compare, and newest first. */
const THREAD_KEY = sql`(messages.posted_at, messages.created_at, messages.id)`;
const NEWEST_FIRST = sql`messages.posted_at DESC, messages.created_at DESC, messages.id DESC`;
/** The thread key of message `id` of the conversation (no row: not this conversation's message). */
const keyOf = (conversationId: string, id: string) =>
  sql`(SELECT k.posted_at, k.created_at, k.id FROM messages k WHERE k.id = ${id} AND k.conversation_id = ${conversationId})`;

/** Messages a thread shows at first and adds per "earlier messages". */
export const THREAD_PAGE = 50;
/** Messages a thread re-read from a message on shows at most (the latest of them). */
export const THREAD_SHOWN_MAX = 1000;

/**
 * Windows of a conversation's thread, newest first, one row more than they show (it tells that earlier ones exist):
 * the latest, those before message `before`, those from message `from` on. A cursor that is not a message of this
 * conversation matches nothing.
 */
const threadLatest = compiledOnce((db, { conversationId }: { conversationId: string }) =>
  messageColumns(db)
    .where('conversationId', '=', conversationId)
    .orderBy(NEWEST_FIRST)
    .limit(THREAD_PAGE + 1),
);
const threadBefore = compiledOnce((db, { conversationId, before }: { conversationId: string; before: string }) =>
  messageColumns(db)
    .where('conversationId', '=', conversationId)
    .where(sql<boolean>`${THREAD_KEY} < ${keyOf(conversationId, before)}`)
    .orderBy(NEWEST_FIRST)
    .limit(THREAD_PAGE + 1),
);
const threadFrom = compiledOnce((db, { conversationId, from }: { conversationId: string; from: string }) =>
  messageColumns(db)
    .select(
      sql<boolean>`EXISTS (SELECT 1 FROM messages e WHERE e.conversation_id = ${conversationId}
        AND (e.posted_at, e.created_at, e.id) < ${keyOf(conversationId, from)})`.as('earlierExist'),
    )
    .where('conversationId', '=', conversationId)
    .where(sql<boolean>`${THREAD_KEY} >= ${keyOf(conversationId, from)}`)
    .orderBy(NEWEST_FIRST)
    .limit(THREAD_SHOWN_MAX + 1),
);

export type ThreadWindow = { before?: string; from?: string };

/**
 * The part of a conversation's thread the console shows, oldest first, and whether earlier messages exist: the
 * latest THREAD_PAGE, the THREAD_PAGE before `before`, or everything from `from` on (a live refresh keeps what the
 * agent opened; at most THREAD_SHOWN_MAX). `from` naming no message of the conversation gives the latest.
 */
export async function listThreadWindow(db: DbOrTx, conversationId: string, window: ThreadWindow = {}) {
  if (window.from) {
    const rows = await threadFrom(db, { conversationId, from: window.from });
    if (rows.length) {
      const { earlierExist } = rows[0]!;
      const messages = rows.slice(0, THREAD_SHOWN_MAX).map(({ earlierExist: _, ...m }) => m);
      return { messages: messages.reverse(), earlier: rows.length > THREAD_SHOWN_MAX || earlierExist };
    }
  }
  const rows = window.before ? await threadBefore(db, { conversationId, before: window.before }) : await threadLatest(db, { conversationId });
  return { messages: rows.slice(0, THREAD_PAGE).reverse(), earlier: rows.length > THREAD_PAGE };
}

function messageColumns(db: DbOrTx) {
  return db
    .selectFrom('messages')
    .leftJoin('replyApprovals as ra', 'ra.messageId', 'messages.id')
    .select([
      'id',
      'conversationId',
      'direction',
      'externalId',
      'authorName',
      'authorHandle',
      'authorUserId',
      // 033: 'bot' for the bot's automatic replies
      'authorKind',
      'text',
      'url',
      'postedAt',
      'deliveryState',
      'deliveryError',
      'deliveryErrorKey',
      'caseFooter',
      'deliveryAttempts',
      'deliveredAt',
      'remoteStatus',
      // 017: edited or removed by its author, hidden or deleted by an agent (Facebook, Instagram)
      'remoteEditedAt',
      'remoteRemovedAt',
      'moderation',
      // the post's clock
      'slaKind',
      'slaDueAt',
      'slaWarnAt',
      'slaState',
      'respondedAt',
      'businessMinutesToRespond',
      'wallMinutesToRespond',
      'breachResponsibleUserId',
      'breachReason',
      'slaPausedAt',
      (eb) => eb.selectFrom('users').select('name').whereRef('users.id', '=', 'messages.breachResponsibleUserId').as('breachResponsibleName'),
      // detected language and sentiment, and who overrode it
      'language',
      'sentimentLabel',
      'sentimentScore',
      'sentimentOverriddenBy',
      (eb) => eb.selectFrom('users').select('name').whereRef('users.id', '=', 'messages.sentimentOverriddenBy').as('sentimentOverriddenByName'),
      // 025: a reply that waited for approval — who asked, who decided, the approver's note
      'ra.state as approvalState',
      'ra.requestedBy as approvalRequestedBy',
      (eb) => eb.selectFrom('users').select('name').whereRef('users.id', '=', 'ra.requestedBy').as('approvalRequestedByName'),
      'ra.decidedBy as approvalDecidedBy',
      (eb) => eb.selectFrom('users').select('name').whereRef('users.id', '=', 'ra.decidedBy').as('approvalDecidedByName'),
      'ra.note as approvalNote',
      'ra.decidedAt as approvalDecidedAt',
    ]);
}

export function findMessage(db: DbOrTx, id: string) {
  return db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirst();
}

export function lockMessage(tx: Tx, id: string) {
  return tx.selectFrom('messages').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function setDelivery(
  tx: Tx,
  id: string,
  set: {
    deliveryState: DeliveryState;
    deliveryError?: string | null;
    /** The reason as a message key; a new deliveryError without one clears the old key. */
    deliveryErrorKey?: string | null;
    deliveryAttempts?: number;
    deliveredAt?: Date | null;
    externalId?: string | null;
    url?: string | null;
  },
) {
  const key = set.deliveryError !== undefined && set.deliveryErrorKey === undefined ? { deliveryErrorKey: null } : {};
  return tx
    .updateTable('messages')
    .set({ ...set, ...key })
    .where('id', '=', id)
    .execute();
}

/**
 * Whether a reply carrying the case-number footer is sent or still on its way (queued, sending, waiting for
 * approval): then no further reply needs it. One that failed or was turned back never reached the customer, and a
 * reply that went without it (too long for it) gave no number: the next reply carries it.
 */
export async function hasCaseFooterReply(db: DbOrTx, conversationId: string): Promise<boolean> {
  const row = await db
    .selectFrom('messages')
    .select('id')
    .where('conversationId', '=', conversationId)
    .where('direction', '=', 'outbound')
    .where('caseFooter', '=', true)
    .where('deliveryState', 'not in', ['failed', 'rejected'])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** The customer's newest message in a conversation: a reply threads to it, and a service window runs from it. */
export function findLastInbound(db: DbOrTx, conversationId: string) {
  return db
    .selectFrom('messages')
    .select(['externalId', 'postedAt'])
    .where('conversationId', '=', conversationId)
    .where('direction', '=', 'inbound')
    .orderBy('postedAt', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/**
 * What sending a reply needs besides the message: the conversation's case number, the customer's identity
 * on the channel (a WhatsApp number, an e-mail address) and the raw payload of the message replied to
 * (e-mail threads by its subject and References).
 */
export async function findReplyContext(db: DbOrTx, m: { id: string; conversationId: string; channelId: string; inReplyToExternalId: string | null }) {
  const c = await db
    .selectFrom('conversations as c')
    .leftJoin('contactIdentities as ci', (j) => j.onRef('ci.contactId', '=', 'c.contactId').onRef('ci.channelId', '=', 'c.channelId'))
    .select(['c.caseNumber', 'c.threadKey', 'c.language', 'ci.externalId as recipientExternalId'])
    .where('c.id', '=', m.conversationId)
    .executeTakeFirstOrThrow();
  const parent = m.inReplyToExternalId
    ? await db.selectFrom('messages').select('raw').where('channelId', '=', m.channelId).where('externalId', '=', m.inReplyToExternalId).executeTakeFirst()
    : undefined;
  // The newest 20 delivered replies, oldest first (e-mail References name the thread without growing for ever).
  const earlier = await db
    .selectFrom('messages')
    .select('externalId')
    .where('conversationId', '=', m.conversationId)
    .where('direction', '=', 'outbound')
    .where('deliveryState', '=', 'sent')
    .where('externalId', 'is not', null)
    .where('id', '!=', m.id)
    .orderBy('postedAt', 'desc')
    .limit(20)
    .execute();
  return {
    caseNumber: c.caseNumber,
    thread: c.threadKey === 'dm' ? ('dm' as const) : null,
    recipientExternalId: c.recipientExternalId,
    inReplyToRaw: parent?.raw ?? null,
    conversationLanguage: c.language,
    earlierReplyIds: earlier.map((r) => r.externalId!).reverse(),
  };
}

/** An approved reply, with the text the approver let go, on its way: queued as of `postedAt`. */
export function setApprovedReply(tx: Tx, id: string, set: { text: string; raw: string | null; postedAt: Date }) {
  return tx
    .updateTable('messages')
    .set({ ...set, deliveryState: 'queued' })
    .where('id', '=', id)
    .execute();
}

/** Replies the database says are still owed to a channel (the reconciler re-enqueues them). */
export function listPendingDeliveries(db: DbOrTx) {
  return db.selectFrom('messages').select('id').where('deliveryState', 'in', ['queued', 'sending']).execute();
}

// ---- set-based ingest (domain/conversations/ingestBatch.ts) -----------------------------------

/**
 * Takes the per-post advisory locks of a batch (the same key ingest always used: channel id and
 * external id) in one statement, sorted by lock key, so concurrent batches with overlapping posts
 * queue up instead of deadlocking and the duplicate check after it is exact.
 */
export async function lockInboundKeys(tx: Tx, keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  await sql`SELECT pg_advisory_xact_lock(k.h) FROM (
    SELECT DISTINCT hashtext(key) AS h FROM unnest(${keys}::text[]) AS key ORDER BY h) k`.execute(tx);
}

export type StoredByExternalId = { channelId: string; externalId: string; messageId: string; conversationId: string; caseNumber: string };

/** Stored messages (any direction) by (channel, external id), with their conversation's case number. */
export async function findMessagesByExternalIds(db: DbOrTx, keys: { channelId: string; externalId: string }[]): Promise<StoredByExternalId[]> {
  if (keys.length === 0) return [];
  const rows = await sql<StoredByExternalId>`
    SELECT m.channel_id, m.external_id, m.id AS message_id, m.conversation_id, c.case_number::text AS case_number
    FROM unnest(${keys.map((k) => k.channelId)}::uuid[], ${keys.map((k) => k.externalId)}::text[]) AS k(channel_id, external_id)
    JOIN messages m ON m.channel_id = k.channel_id AND m.external_id = k.external_id
    JOIN conversations c ON c.id = m.conversation_id`.execute(db);
  return rows.rows;
}

export type NewInboundRow = {
  id: string;
  conversationId: string;
  channelId: string;
  externalId: string;
  inReplyToExternalId: string | null;
  /** the conversation's topic (docs/reports.md rule 9), given so no trigger has to rewrite the row */
  topicId: string | null;
  authorName: string;
  authorHandle: string | null;
  text: string;
  url: string | null;
  postedAt: Date;
  /** the source's time when it was not believed (domain/conversations/postTime.ts), else null */
  claimedPostedAt: string | null;
  /** JSON text, or null for no payload */
  raw: string | null;
  slaPolicyId: string | null;
  slaKind: 'first' | 'next' | null;
  slaDueAt: Date | null;
  slaWarnAt: Date | null;
  /** detected on ingest (domain/listening/postSignals.ts) */
  language: string | null;
  sentimentLabel: SentimentLabel | null;
  sentimentScore: number | null;
};

/**
 * Inbound posts in one INSERT from arrays, in the given order. created_at is taken per row
 * (clock_timestamp), so posts with the same postedAt keep their arrival order in the conversation.
 */
export async function insertInboundMessages(tx: Tx, rows: NewInboundRow[]): Promise<void> {
  if (rows.length === 0) return;
  const col = <K extends keyof NewInboundRow>(k: K) => rows.map((r) => r[k]);
  await sql`
    INSERT INTO messages (id, conversation_id, channel_id, topic_id, direction, external_id, in_reply_to_external_id, author_name,
      author_handle, text, url, posted_at, claimed_posted_at, raw, sla_policy_id, sla_kind, sla_due_at, sla_warn_at, sla_state, created_at,
      language, sentiment_label, sentiment_detected, sentiment_score)
    SELECT r.id, r.conversation_id, r.channel_id, r.topic_id, 'inbound', r.external_id, r.in_reply_to, r.author_name, r.author_handle,
      r.text, r.url, r.posted_at, r.claimed_posted_at, r.raw::jsonb, r.sla_policy_id, r.sla_kind, r.sla_due_at, r.sla_warn_at,
      CASE WHEN r.sla_due_at IS NULL THEN NULL ELSE 'ok' END, clock_timestamp(), r.language, r.sentiment_label, r.sentiment_label, r.sentiment_score
    FROM unnest(${col('id')}::uuid[], ${col('conversationId')}::uuid[], ${col('channelId')}::uuid[], ${col('topicId')}::uuid[], ${col('externalId')}::text[],
      ${col('inReplyToExternalId')}::text[], ${col('authorName')}::text[], ${col('authorHandle')}::text[], ${col('text')}::text[],
      ${col('url')}::text[], ${col('postedAt')}::timestamptz[], ${col('claimedPostedAt')}::text[], ${col('raw')}::text[], ${col('slaPolicyId')}::uuid[],
      ${col('slaKind')}::text[], ${col('slaDueAt')}::timestamptz[], ${col('slaWarnAt')}::timestamptz[], ${col('language')}::text[],
      ${col('sentimentLabel')}::text[], ${col('sentimentScore')}::real[])
      WITH ORDINALITY AS r(id, conversation_id, channel_id, topic_id, external_id, in_reply_to, author_name, author_handle, text, url,
        posted_at, claimed_posted_at, raw, sla_policy_id, sla_kind, sla_due_at, sla_warn_at, language, sentiment_label, sentiment_score, ord)
    ORDER BY r.ord`.execute(tx);
}
