/** Chat sessions (029_web_chat): a visitor's chat on a webchat conversation — who, when offered, accepted, ended — and its messages as the visitor sees them. */
import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../client';
import type { ChatEndReason, Locale } from '../schema';

export type NewChatSession = {
  conversationId: string;
  siteId: string;
  visitorTokenHash: string;
  visitorId: string;
  pageUrl: string | null;
  prechatName: string | null;
  prechatEmail: string | null;
  consentAt: Date;
  language: Locale;
  startedAt: Date;
};

export async function insertChatSession(tx: Tx, s: NewChatSession): Promise<void> {
  await tx
    .insertInto('chatSessions')
    .values({ ...s, lastVisitorAt: s.startedAt })
    .execute();
}

const sessionColumns = [
  's.conversationId',
  's.siteId',
  's.visitorId',
  's.language',
  's.startedAt',
  's.acceptedAt',
  's.acceptedBy',
  's.endedAt',
  's.endReason',
  's.lastVisitorAt',
  's.visitorReadAt',
  's.prechatName',
  's.prechatEmail',
  's.botState',
  's.botTurns',
  'c.caseNumber',
  'c.status',
  'c.channelId',
] as const;

const sessions = (db: DbOrTx) => db.selectFrom('chatSessions as s').innerJoin('conversations as c', 'c.id', 's.conversationId');

export type ChatSession = NonNullable<Awaited<ReturnType<typeof findSessionByTokenHash>>>;

/** The session a visitor token opens (by its hash). */
export function findSessionByTokenHash(db: DbOrTx, tokenHash: string) {
  return sessions(db).select(sessionColumns).where('s.visitorTokenHash', '=', tokenHash).executeTakeFirst();
}

export function findChatSession(db: DbOrTx, conversationId: string) {
  return sessions(db).select(sessionColumns).where('s.conversationId', '=', conversationId).executeTakeFirst();
}

/** Whether the conversation is a live chat still going (a session not ended): such a chat keeps its slot while answered. */
export async function hasOpenChat(db: DbOrTx, conversationId: string): Promise<boolean> {
  const s = await db
    .selectFrom('chatSessions')
    .select('conversationId')
    .where('conversationId', '=', conversationId)
    .where('endedAt', 'is', null)
    .executeTakeFirst();
  return s !== undefined;
}

/** The session locked: ending, accepting and the visitor's messages take turns (lock it before the conversation). */
export function lockChatSession(tx: Tx, conversationId: string) {
  return sessions(tx).select(sessionColumns).where('s.conversationId', '=', conversationId).forUpdate('s').executeTakeFirst();
}

export async function setChatAccepted(tx: Tx, conversationId: string, userId: string, at: Date): Promise<void> {
  await tx.updateTable('chatSessions').set({ acceptedAt: at, acceptedBy: userId }).where('conversationId', '=', conversationId).execute();
}

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

export async function setChatEnded(tx: Tx, conversationId: string, reason: ChatEndReason, at: Date): Promise<void> {
  await tx.updateTable('chatSessions').set({ endedAt: at, endReason: reason }).where('conversationId', '=', conversationId).execute();
}

export async function setVisitorSpoke(tx: Tx, conversationId: string, at: Date): Promise<void> {
  await tx.updateTable('chatSessions').set({ lastVisitorAt: at }).where('conversationId', '=', conversationId).execute();
}

/** The visitor has read up to `upTo`; the mark never moves back. */
export async function setVisitorRead(db: DbOrTx, conversationId: string, upTo: Date): Promise<void> {
  await db
    .updateTable('chatSessions')
    .set({ visitorReadAt: upTo })
    .where('conversationId', '=', conversationId)
    .where((eb) => eb.or([eb('visitorReadAt', 'is', null), eb('visitorReadAt', '<', upTo)]))
    .execute();
}

/**
 * The site's waiting chats in queue order (started_at, then id): open and not yet accepted — unassigned, or
 * ringing at an agent — and not held by the bot (033_bot_first). `unassigned`: still in the queue (it will take a free slot when routed).
 */
export async function waitingChats(db: DbOrTx, siteId: string): Promise<{ conversationId: string; startedAt: Date; unassigned: boolean }[]> {
  return db
    .selectFrom('chatSessions as s')
    .innerJoin('conversations as c', 'c.id', 's.conversationId')
    .select(['s.conversationId', 's.startedAt', sql<boolean>`c.assignee_id IS NULL`.as('unassigned')])
    .where('s.siteId', '=', siteId)
    .where('s.endedAt', 'is', null)
    .where('s.acceptedAt', 'is', null)
    .where((eb) => eb.or([eb('s.botState', 'is', null), eb('s.botState', '!=', 'holding')]))
    .orderBy('s.startedAt')
    .orderBy('s.conversationId')
    .execute();
}

/** The site's chats of the hour before `now`: arrivals, chats accepted (service starts) and the mean handling time of those that ended (a chat the bot's article closed never reached the queue). */
export async function recentChatMeasures(
  db: DbOrTx,
  siteId: string,
  now: Date,
): Promise<{ arrivals: number; accepted: number; meanHandleSeconds: number | null }> {
  const since = new Date(now.getTime() - 3_600_000);
  const r = await sql<{ arrivals: number; accepted: number; meanHandleSeconds: number | null }>`
    SELECT count(*) FILTER (WHERE started_at >= ${since})::int AS arrivals,
      count(*) FILTER (WHERE accepted_at >= ${since})::int AS accepted,
      avg(extract(epoch FROM ended_at - accepted_at)) FILTER (WHERE ended_at >= ${since} AND accepted_at IS NOT NULL)::float8 AS mean_handle_seconds
    FROM chat_sessions WHERE site_id = ${siteId} AND (started_at >= ${since} OR accepted_at >= ${since} OR ended_at >= ${since})
      AND bot_state IS DISTINCT FROM 'self_served'`.execute(db);
  return r.rows[0]!;
}

/**
 * When an open chat last showed life: the latest of the visitor's last message, the acceptance and the last
 * delivered reply (an agent's or the bot's) — a visitor reading an answer is not inactive. Only accepted chats and
 * chats the bot holds can be inactive: a visitor waiting in the queue ends the chat or leaves (the widget ends it),
 * never the timer; a visitor who left the bot's offer unanswered would otherwise hold the chat open for ever.
 */
const inactiveSince = (now: Date) => sql`s.ended_at IS NULL AND (s.accepted_at IS NOT NULL OR s.bot_state = 'holding')
  AND GREATEST(s.last_visitor_at, s.accepted_at,
    (SELECT max(m.delivered_at) FROM messages m WHERE m.conversation_id = s.conversation_id AND m.direction = 'outbound' AND m.delivery_state = 'sent'))
    < ${now}::timestamptz - make_interval(mins => site.inactivity_minutes)`;

/** Accepted open chats in which nothing happened for their site's inactivity time (oldest first). */
export async function inactiveChats(db: DbOrTx, now: Date, limit: number): Promise<string[]> {
  const r = await sql<{ conversationId: string }>`
    SELECT s.conversation_id FROM chat_sessions s JOIN chat_sites site ON site.id = s.site_id
    WHERE ${inactiveSince(now)}
    ORDER BY s.last_visitor_at LIMIT ${limit}`.execute(db);
  return r.rows.map((row) => row.conversationId);
}

/** Whether this chat is (still) inactive — the sweep's re-check under the chat's lock. */
export async function isChatInactive(db: DbOrTx, conversationId: string, now: Date): Promise<boolean> {
  const r = await sql<{ one: number }>`
    SELECT 1 AS one FROM chat_sessions s JOIN chat_sites site ON site.id = s.site_id
    WHERE s.conversation_id = ${conversationId} AND ${inactiveSince(now)}`.execute(db);
  return r.rows.length > 0;
}

/** A conversation's first inbound post (a visitor's later messages answer it, so they always join this conversation). */
export async function firstInboundExternalId(db: DbOrTx, conversationId: string): Promise<string | null> {
  const m = await db
    .selectFrom('messages')
    .select('externalId')
    .where('conversationId', '=', conversationId)
    .where('direction', '=', 'inbound')
    .orderBy('postedAt')
    .limit(1)
    .executeTakeFirst();
  return m?.externalId ?? null;
}

/** What an automatic reply (033_bot_first) shows besides its text: its label, the articles offered, the question. */
export type BotContent = {
  label: string;
  intro: string;
  articles: { id: string; title: string; url: string }[];
  question: string | null;
  /** the chat went to a person with this message (the widget's "talk to a person" is done) */
  handover: boolean;
};
export type VisitorMessage = { id: string; from: 'visitor' | 'agent' | 'bot'; text: string; at: Date; authorName: string; bot: BotContent | null };

/** Who wrote a message as the visitor sees it, and what an automatic reply carries. */
const visitorSide = sql`CASE WHEN direction = 'inbound' THEN 'visitor' WHEN author_kind = 'bot' THEN 'bot' ELSE 'agent' END AS "from",
  CASE WHEN author_kind = 'bot' THEN raw->'bot' END AS bot`;

/** The most messages a visitor's view (and a transcript) holds: the latest ones. */
export const VISITOR_MESSAGES_MAX = 500;

/** What the visitor sees: their messages, the agents' replies that went out and the bot's (never notes, never a reply still waiting or refused), oldest first. */
export async function visitorMessages(db: DbOrTx, conversationId: string): Promise<VisitorMessage[]> {
  const r = await sql<VisitorMessage>`
    SELECT * FROM (
      SELECT id, ${visitorSide}, text,
        CASE direction WHEN 'inbound' THEN posted_at ELSE delivered_at END AS at, author_name
      FROM messages
      WHERE conversation_id = ${conversationId}
        AND (direction = 'inbound' OR (direction = 'outbound' AND delivery_state = 'sent' AND delivered_at IS NOT NULL))
      ORDER BY at DESC, id DESC LIMIT ${VISITOR_MESSAGES_MAX}) m
    ORDER BY at, id`.execute(db);
  return r.rows;
}

/**
 * The agents' (and the bot's) replies delivered after the one with id `afterId` (null: after `since`), in delivery order: what a
 * visitor's event stream sends next. Delivery order is (delivered_at, id), so a resume neither repeats nor skips.
 */
export async function agentMessagesAfter(db: DbOrTx, conversationId: string, after: { id: string } | { since: Date }): Promise<VisitorMessage[]> {
  const cursor =
    'id' in after
      ? sql`(delivered_at, id) > (SELECT delivered_at, id FROM messages WHERE id = ${after.id}::uuid AND conversation_id = ${conversationId})`
      : sql`delivered_at > ${after.since}`;
  const r = await sql<VisitorMessage>`
    SELECT id, ${visitorSide}, text, delivered_at AS at, author_name FROM messages
    WHERE conversation_id = ${conversationId} AND direction = 'outbound' AND delivery_state = 'sent' AND delivered_at IS NOT NULL AND ${cursor}
    ORDER BY delivered_at, id LIMIT 100`.execute(db);
  return r.rows;
}

/** The latest delivered agent reply's id (where a fresh stream starts), or null. */
export async function latestAgentMessageId(db: DbOrTx, conversationId: string): Promise<string | null> {
  const m = await db
    .selectFrom('messages')
    .select('id')
    .where('conversationId', '=', conversationId)
    .where('direction', '=', 'outbound')
    .where('deliveryState', '=', 'sent')
    .where('deliveredAt', 'is not', null)
    .orderBy('deliveredAt', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return m?.id ?? null;
}
