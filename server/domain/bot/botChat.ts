/**
 * Bot first (issue 19): on a site with the bot on, a new chat is held by the bot before routing. Each turn the
 * bot searches the published knowledge articles in the visitor's language with the visitor's words (local
 * full-text search) and offers up to three, asking "Hat das geholfen?". While it holds the chat, the chat is in
 * no queue and its SLA clocks are paused (the wait is the bot's, not the team's). The visitor's answer:
 * "yes" closes the chat as self-served (its clocks cleared: no person owes an answer); "no", or "talk to a
 * person" at any time, hands over at once. A further message is another turn; after the site's turns, or
 * when nothing matches, the bot hands over by itself. A handover resumes the clocks (their due times moved by
 * the business minutes the bot held them) and asks for a routing pass: the chat queues like any other, with
 * the bot's exchange in its thread. A chat someone assigned by hand meanwhile (it is no longer `new`) is theirs:
 * at the visitor's next message or answer the bot lets go quietly (reason `taken`). Every step is audited in its
 * transaction.
 *
 * Lock order as everywhere: chat session, conversation, then the audit chain.
 */
import { z } from 'zod';
import type { Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import { answerLatestOffer, insertBotMessage, insertBotOffers, setBotDone, setBotHolding } from '../../db/repositories/botChats.repo';
import type { ChatSite } from '../../db/repositories/chatSites.repo';
import { lockChatSession } from '../../db/repositories/chatSessions.repo';
import { lockConversation } from '../../db/repositories/conversations.repo';
import { searchArticles } from '../../db/repositories/knowledgeArticles.repo';
import { clearPausedClocks } from '../../db/repositories/sla.repo';
import type { BotHandoverReason, Locale } from '../../db/schema';
import { Conflict, NotFound } from '../../errors';
import { systemActor, type Actor } from '../audit/actor';
import { completeDisclosure } from '../chatSites/siteTexts';
import type { Effects } from '../effects';
import { helpLanguages, readerLanguage } from '../knowledge/helpPage';
import { parseInput } from '../parseInput';
import { routingPass } from '../routing/routingPass';
import { pauseClocksForBot, resumeClocksAfterBot } from '../sla/pause';
import { endChat, VISITOR_SIDE_ROLE } from '../webchat/endChat';
import { assertChatOpen, postVisitorMessage } from '../webchat/visitorMessages';
import { answerOutcome, BOT_ARTICLES_MAX, botSearchQuery, decideBotTurn } from './botDecision';
import { handoverReply, offerReply, selfServedReply, type BotReply } from './botReplies';

const BOT_ACTOR = systemActor('bot');

/** The chat a bot turn works on. */
type BotChat = { conversationId: string; channelId: string; language: Locale; site: ChatSite };
type BotEnv = { baseUrl: string; now: Date };

const botAnswerInput = z.object({ answer: z.enum(['yes', 'no', 'human']) }).strict();

/** An article's page on a chat site's public help pages (the bot's links). */
export const articleUrl = (baseUrl: string, siteId: string, articleId: string) => `${baseUrl.replace(/\/+$/, '')}/help/${siteId}/articles/${articleId}`;

/** The bot's message, stamped after what it answers (a visitor message of the same instant would sort either way). */
async function post(tx: Tx, effects: Effects, chat: BotChat, reply: BotReply, now: Date): Promise<string> {
  const at = new Date(Math.max(Date.now(), now.getTime() + 1));
  const id = await insertBotMessage(tx, { conversationId: chat.conversationId, channelId: chat.channelId, ...reply, at });
  effects.publish({ type: 'conversation', conversationId: chat.conversationId, channelId: chat.channelId, change: 'message' });
  return id;
}

/**
 * One bot turn for the visitor's words (`turnsTaken` before it; the chat's first message: 0, and its reply opens
 * with the disclosure). Called inside the transaction that stored the visitor's message.
 */
async function takeTurn(tx: Tx, effects: Effects, chat: BotChat, text: string, turnsTaken: number, env: BotEnv): Promise<void> {
  const disclosure = turnsTaken === 0 ? completeDisclosure(chat.site.botDisclosure)[chat.language] : null;
  const query = botSearchQuery(text);
  const searchIn = readerLanguage(helpLanguages(chat.site), chat.language);
  const hits =
    turnsTaken < chat.site.botMaxTurns && query ? await searchArticles(tx, query, { languages: [searchIn], publishedOnly: true, limit: BOT_ARTICLES_MAX }) : [];
  const turn = decideBotTurn({ turnsTaken, maxTurns: chat.site.botMaxTurns, hits });
  if (turn.kind === 'handover') return handOver(tx, effects, chat, { reason: turn.reason, actor: BOT_ACTOR, disclosure }, env.now);

  const articles = turn.articles.map((a) => ({ id: a.id, title: a.title, url: articleUrl(env.baseUrl, chat.site.id, a.id) }));
  const messageId = await post(tx, effects, chat, offerReply(chat.language, disclosure, articles), env.now);
  await insertBotOffers(
    tx,
    messageId,
    chat.conversationId,
    articles.map((a) => a.id),
    env.now,
  );
  await setBotHolding(tx, chat.conversationId, turnsTaken + 1);
  await pauseClocksForBot(tx, {
    conversationId: chat.conversationId,
    channelId: chat.channelId,
    from: 'new',
    to: 'new',
    actor: BOT_ACTOR,
    now: env.now,
  });
  await appendAudit(tx, {
    actor: BOT_ACTOR,
    action: 'conversation.bot_answered',
    subjectType: 'conversation',
    subjectId: chat.conversationId,
    channelId: chat.channelId,
    after: { turn: turnsTaken + 1, messageId, articles: articles.length, articleIds: articles.map((a) => a.id) },
  });
}

/**
 * The bot lets go: its last word, the clocks run again (moved by the held time), the chat joins its queue. A chat
 * a person already took (`taken`) gets no last word: the person is there.
 */
async function handOver(
  tx: Tx,
  effects: Effects,
  chat: BotChat,
  how: { reason: BotHandoverReason; actor: Actor; disclosure: string | null },
  now: Date,
): Promise<void> {
  const notHelped = how.reason === 'not_helped' ? await answerLatestOffer(tx, chat.conversationId, 'not_helped') : [];
  if (how.reason !== 'taken') await post(tx, effects, chat, handoverReply(chat.language, how.disclosure, how.reason === 'no_match'), now);
  await setBotDone(tx, chat.conversationId, { state: 'handed_over', reason: how.reason, at: now });
  await resumeClocksAfterBot(tx, { conversationId: chat.conversationId, channelId: chat.channelId, from: 'new', to: 'new', actor: how.actor, now });
  await appendAudit(tx, {
    actor: how.actor,
    action: 'conversation.bot_handed_over',
    subjectType: 'conversation',
    subjectId: chat.conversationId,
    channelId: chat.channelId,
    after: { reason: how.reason, ...(notHelped.length ? { notHelpedArticleIds: notHelped } : {}) },
  });
  effects.enqueue(routingPass([chat.channelId]));
  effects.publish({ type: 'routing' });
}

/** The article helped: the bot's goodbye, the clocks cleared, the chat ends as self-served (closed, audited). */
async function selfServe(tx: Tx, effects: Effects, chat: BotChat, actor: Actor, now: Date): Promise<void> {
  const helped = await answerLatestOffer(tx, chat.conversationId, 'helped');
  await post(tx, effects, chat, selfServedReply(chat.language), now);
  const clearedClocks = await clearPausedClocks(tx, chat.conversationId);
  await setBotDone(tx, chat.conversationId, { state: 'self_served', reason: null, at: now });
  await appendAudit(tx, {
    actor,
    action: 'conversation.bot_self_served',
    subjectType: 'conversation',
    subjectId: chat.conversationId,
    channelId: chat.channelId,
    after: { helpedArticleIds: helped, clearedClocks },
  });
  await endChat(tx, effects, { conversationId: chat.conversationId, reason: 'self_served' }, { actor, role: VISITOR_SIDE_ROLE, now });
}

/** A new chat on a bot-first site (startChat, after the session is stored): the bot's first turn. */
export async function openWithBot(tx: Tx, effects: Effects, chat: BotChat, text: string, env: BotEnv): Promise<void> {
  await takeTurn(tx, effects, chat, text, 0, env);
}

/** A visitor's message in a running chat (postVisitorMessage) and, while the bot holds the chat, the bot's next turn. */
export async function visitorWrites(
  tx: Tx,
  effects: Effects,
  site: ChatSite,
  conversationId: string,
  raw: unknown,
  by: { ip: string | null; now: Date; baseUrl: string },
): Promise<{ id: string; at: Date }> {
  const posted = await postVisitorMessage(tx, effects, conversationId, raw, by);
  const { session } = posted;
  if (session.botState === 'holding') {
    const chat = { conversationId, channelId: session.channelId, language: session.language, site };
    if (session.status !== 'new') await handOver(tx, effects, chat, { reason: 'taken', actor: BOT_ACTOR, disclosure: null }, by.now);
    else await takeTurn(tx, effects, chat, posted.text, session.botTurns, by);
  }
  return { id: posted.id, at: posted.at };
}

/** The visitor's answer in the widget: "yes" (it helped), "no", or "human" (talk to a person). */
export async function answerBot(
  tx: Tx,
  effects: Effects,
  site: ChatSite,
  conversationId: string,
  raw: unknown,
  by: { actor: Actor; now: Date },
): Promise<{ outcome: 'self_served' | 'handed_over' }> {
  const { answer } = parseInput(botAnswerInput, raw, 'bot answer');
  const session = await lockChatSession(tx, conversationId);
  if (!session) throw new NotFound('Chat');
  assertChatOpen(session);
  if (session.botState !== 'holding') throw new Conflict('The bot no longer holds this chat').showing('widget.error.botDone');
  const conversation = await lockConversation(tx, conversationId);
  const chat: BotChat = { conversationId, channelId: session.channelId, language: session.language, site };
  if (conversation?.status !== 'new') {
    await handOver(tx, effects, chat, { reason: 'taken', actor: BOT_ACTOR, disclosure: null }, by.now);
    return { outcome: 'handed_over' };
  }
  const outcome = answerOutcome(answer);
  if (outcome.kind === 'self_served') {
    await selfServe(tx, effects, chat, by.actor, by.now);
    return { outcome: 'self_served' };
  }
  await handOver(tx, effects, chat, { reason: outcome.reason, actor: by.actor, disclosure: null }, by.now);
  return { outcome: 'handed_over' };
}
