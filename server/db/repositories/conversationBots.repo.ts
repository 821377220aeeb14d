/** The bot on a messaging channel (036_channel_bot): the channel's setting, its hold on a conversation, and its queued replies. */
import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../client';
import type { BotDisclosure, BotHandoverReason, BotState, Channel, Locale } from '../schema';

/** A channel with its bot setting (036_channel_bot), the disclosure typed. */
export type ChannelBotSetting = Omit<Channel, 'botDisclosure'> & { botDisclosure: BotDisclosure };

export async function lockChannelBot(tx: Tx, channelId: string): Promise<ChannelBotSetting | undefined> {
  const row = await tx.selectFrom('channels').selectAll().where('id', '=', channelId).forUpdate().executeTakeFirst();
  return row && { ...row, botDisclosure: row.botDisclosure as BotDisclosure };
}

export async function findBotChannels(db: DbOrTx, channelIds: string[]): Promise<ChannelBotSetting[]> {
  if (channelIds.length === 0) return [];
  const rows = await db.selectFrom('channels').selectAll().where('id', 'in', channelIds).execute();
  return rows.map((r) => ({ ...r, botDisclosure: r.botDisclosure as BotDisclosure }));
}

export async function setChannelBotSetting(
  tx: Tx,
  channelId: string,
  s: { botEnabled: boolean; botMaxTurns: number; botDisclosure: BotDisclosure; botHelpSiteId: string | null },
): Promise<void> {
  await tx
    .updateTable('channels')
    .set({ ...s, botDisclosure: JSON.stringify(s.botDisclosure) })
    .where('id', '=', channelId)
    .execute();
}

export type ConversationBot = { conversationId: string; channelId: string; language: Locale; state: BotState; turns: number };

export function lockConversationBot(tx: Tx, conversationId: string): Promise<ConversationBot | undefined> {
  return tx
    .selectFrom('conversationBots')
    .select(['conversationId', 'channelId', 'language', 'state', 'turns'])
    .where('conversationId', '=', conversationId)
    .forUpdate()
    .executeTakeFirst();
}

/** The bot takes a new conversation (before its first turn). */
export async function insertConversationBot(tx: Tx, b: { conversationId: string; channelId: string; language: Locale; at: Date }): Promise<void> {
  await tx
    .insertInto('conversationBots')
    .values({ conversationId: b.conversationId, channelId: b.channelId, language: b.language, state: 'holding', startedAt: b.at })
    .execute();
}

export async function setConversationBotTurns(tx: Tx, conversationId: string, turns: number): Promise<void> {
  await tx.updateTable('conversationBots').set({ turns }).where('conversationId', '=', conversationId).execute();
}

export async function setConversationBotDone(
  tx: Tx,
  conversationId: string,
  done: { state: Exclude<BotState, 'holding'>; reason: BotHandoverReason | null; at: Date },
): Promise<void> {
  await tx
    .updateTable('conversationBots')
    .set({ state: done.state, handoverReason: done.reason, doneAt: done.at })
    .where('conversationId', '=', conversationId)
    .execute();
}

/**
 * The inbound posts an ingest stored, with what the bot reads of them, oldest first. `conversationIsNew`: the
 * post's conversation holds nothing but posts of this ingest (the ingest started it).
 */
export async function findInboundForBot(tx: Tx, messageIds: string[]) {
  const r = await sql<{
    id: string;
    conversationId: string;
    channelId: string;
    externalId: string | null;
    text: string;
    language: string | null;
    postedAt: Date;
    conversationLanguage: string | null;
    conversationIsNew: boolean;
  }>`
    SELECT m.id, m.conversation_id, m.channel_id, m.external_id, m.text, m.language, m.posted_at, c.language AS conversation_language,
      NOT EXISTS (SELECT 1 FROM messages e WHERE e.conversation_id = c.id AND NOT (e.id = ANY(${messageIds}::uuid[]))) AS conversation_is_new
    FROM messages m JOIN conversations c ON c.id = m.conversation_id
    WHERE m.id = ANY(${messageIds}::uuid[]) AND m.direction = 'inbound'
    ORDER BY m.posted_at, m.id`.execute(tx);
  return r.rows;
}

/**
 * A bot reply on a messaging channel: outbound, queued for the channel's connector like an agent's reply (the
 * deliver-reply job sends it and retries), no user as author, so never a response for the SLA.
 */
export async function insertQueuedBotMessage(
  tx: Tx,
  m: { conversationId: string; channelId: string; text: string; authorName: string; inReplyToExternalId: string | null; raw: unknown; at: Date },
): Promise<string> {
  const row = await tx
    .insertInto('messages')
    .values({
      conversationId: m.conversationId,
      channelId: m.channelId,
      direction: 'outbound',
      authorKind: 'bot',
      authorName: m.authorName,
      inReplyToExternalId: m.inReplyToExternalId,
      text: m.text,
      postedAt: m.at,
      deliveryState: 'queued',
      raw: JSON.stringify(m.raw),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}
