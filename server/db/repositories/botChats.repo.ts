/** The bot's part of a chat (033_bot_first): its messages, the articles it offered and their outcome, its hold on the session, and the self-service report. */
import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../client';
import type { BotHandoverReason, BotOfferOutcome, BotState } from '../schema';
import type { BotContent } from './chatSessions.repo';

/** A bot message: outbound and delivered at once (the widget reads it), no user as author, so never a response for the SLA or an agent's reply in reports. */
export async function insertBotMessage(
  tx: Tx,
  m: { conversationId: string; channelId: string; text: string; authorName: string; content: BotContent; at: Date },
): Promise<string> {
  const row = await tx
    .insertInto('messages')
    .values({
      conversationId: m.conversationId,
      channelId: m.channelId,
      direction: 'outbound',
      authorKind: 'bot',
      authorName: m.authorName,
      text: m.text,
      postedAt: m.at,
      deliveryState: 'sent',
      deliveredAt: m.at,
      raw: JSON.stringify({ bot: m.content }),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function insertBotOffers(tx: Tx, messageId: string, conversationId: string, articleIds: string[], at: Date): Promise<void> {
  if (articleIds.length === 0) return;
  await tx
    .insertInto('botOffers')
    .values(articleIds.map((articleId, i) => ({ messageId, articleId, conversationId, position: i + 1, offeredAt: at })))
    .execute();
}

/** The visitor's answer to the chat's latest offer (an offer answered once keeps its answer). Returns the articles it names. */
export async function answerLatestOffer(tx: Tx, conversationId: string, outcome: BotOfferOutcome): Promise<string[]> {
  const r = await sql<{ articleId: string }>`
    UPDATE bot_offers SET outcome = ${outcome}
    WHERE outcome IS NULL AND message_id = (
      SELECT message_id FROM bot_offers WHERE conversation_id = ${conversationId} ORDER BY offered_at DESC, message_id DESC LIMIT 1)
    RETURNING article_id`.execute(tx);
  return r.rows.map((row) => row.articleId);
}

export async function setBotHolding(tx: Tx, conversationId: string, turns: number): Promise<void> {
  await tx.updateTable('chatSessions').set({ botState: 'holding', botTurns: turns }).where('conversationId', '=', conversationId).execute();
}

export async function setBotDone(
  tx: Tx,
  conversationId: string,
  done: { state: Exclude<BotState, 'holding'>; reason: BotHandoverReason | null; at: Date },
): Promise<void> {
  await tx
    .updateTable('chatSessions')
    .set({ botState: done.state, botHandoverReason: done.reason, botDoneAt: done.at })
    .where('conversationId', '=', conversationId)
    .execute();
}

// ---- the self-service report ------------------------------------------------------------------

export type SelfServiceCounts = { chats: number; selfServed: number; handedOver: number; withBot: number; messaging: number };

/** Everything the bot answered first: widget chats (chat_sessions) and messaging conversations (036, conversation_bots). */
const botHolds = sql`(
  SELECT bot_state AS state, bot_handover_reason AS reason, started_at, false AS messaging FROM chat_sessions WHERE bot_state IS NOT NULL
  UNION ALL
  SELECT state, handover_reason, started_at, true FROM conversation_bots) h`;

/** Chats and messaging conversations the bot answered first, started in [from, to): how they came out (withBot: still held, or left while held). */
export async function selfServiceCounts(db: DbOrTx, from: Date, to: Date): Promise<SelfServiceCounts> {
  const r = await sql<SelfServiceCounts>`
    SELECT count(*)::int AS chats,
      count(*) FILTER (WHERE state = 'self_served')::int AS self_served,
      count(*) FILTER (WHERE state = 'handed_over')::int AS handed_over,
      count(*) FILTER (WHERE state = 'holding')::int AS with_bot,
      count(*) FILTER (WHERE messaging)::int AS messaging
    FROM ${botHolds} WHERE started_at >= ${from} AND started_at < ${to}`.execute(db);
  return r.rows[0]!;
}

export async function handoverReasons(db: DbOrTx, from: Date, to: Date): Promise<{ reason: BotHandoverReason; count: number }[]> {
  const r = await sql<{ reason: BotHandoverReason; count: number }>`
    SELECT reason, count(*)::int AS count
    FROM ${botHolds} WHERE state = 'handed_over' AND started_at >= ${from} AND started_at < ${to}
    GROUP BY reason ORDER BY count DESC, reason`.execute(db);
  return r.rows;
}

export type ArticleOutcomes = { articleId: string; title: string; language: string; offered: number; helped: number; notHelped: number };

/** Per article offered in [from, to): how often, and how often the visitor said it helped or not. */
export async function articleOutcomes(db: DbOrTx, from: Date, to: Date): Promise<ArticleOutcomes[]> {
  const r = await sql<ArticleOutcomes>`
    SELECT a.id AS article_id, a.title, a.language, count(*)::int AS offered,
      count(*) FILTER (WHERE o.outcome = 'helped')::int AS helped,
      count(*) FILTER (WHERE o.outcome = 'not_helped')::int AS not_helped
    FROM bot_offers o JOIN knowledge_articles a ON a.id = o.article_id
    WHERE o.offered_at >= ${from} AND o.offered_at < ${to}
    GROUP BY a.id ORDER BY offered DESC, a.title LIMIT 500`.execute(db);
  return r.rows;
}
