/**
 * Bot first on a messaging channel (issue 19): the widget's bot (botChat.ts) for channels whose connector allows
 * automatic replies (capability `botReplies`: Telegram, WhatsApp) and whose manager turned the bot on. Called in
 * the ingest's transaction with the posts it stored (ingestWithBot):
 *
 * - a post that starts a conversation, inside the channel's free-text window: the bot holds the conversation
 *   (no queue takes it, its SLA clocks pause) and answers with up to three published articles in the customer's
 *   language, asking for JA, NEIN or MENSCH. Its reply is queued like an agent's (the channel's connector sends
 *   it, retries apply), stored as the bot's (no user), so it answers no SLA clock;
 * - a post while the bot holds the conversation: JA/YES closes it as self-served (its clocks cleared);
 *   NEIN/NO and MENSCH/HUMAN hand it over at once (not_helped, asked); any other text is another turn, and after
 *   the channel's turns, or when nothing matches, the bot hands over by itself (max_turns, no_match). A handover
 *   resumes the clocks (moved by the held time) and asks for a routing pass. A conversation someone took by hand
 *   meanwhile is theirs: the bot lets go quietly (taken).
 *
 * Every step is audited in the transaction with the widget bot's action names.
 */
import type { Connectors, NormalizedInbound } from '../../../connectors/types';
import type { Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import { answerLatestOffer, insertBotOffers } from '../../db/repositories/botChats.repo';
import {
  type ChannelBotSetting,
  findBotChannels,
  findInboundForBot,
  insertConversationBot,
  insertQueuedBotMessage,
  lockConversationBot,
  setConversationBotDone,
  setConversationBotTurns,
} from '../../db/repositories/conversationBots.repo';
import { lockConversation } from '../../db/repositories/conversations.repo';
import { searchArticles } from '../../db/repositories/knowledgeArticles.repo';
import { clearPausedClocks } from '../../db/repositories/sla.repo';
import type { BotHandoverReason, Locale } from '../../db/schema';
import { type Actor, systemActor } from '../audit/actor';
import { completeDisclosure } from '../chatSites/siteTexts';
import { changeStatus } from '../conversations/changeStatus';
import { ingestBatch, type IngestResult } from '../conversations/ingestBatch';
import type { Effects } from '../effects';
import { insideWindow } from '../replies/prepareReply';
import { routingPass } from '../routing/routingPass';
import { pauseClocksForBot, resumeClocksAfterBot } from '../sla/pause';
import { VISITOR_SIDE_ROLE } from '../webchat/endChat';
import { articleUrl } from './botChat';
import { answerOutcome, BOT_ARTICLES_MAX, botSearchQuery, decideBotTurn, keywordAnswer } from './botDecision';
import { handoverReply, offerReply, selfServedReply, type BotReply } from './botReplies';

const BOT_ACTOR = systemActor('bot');
const SELF_SERVED_REASON = 'Self-served: an article the bot offered helped';

export type ChannelBotEnv = { baseUrl: string; connectors: Connectors; now?: Date };

/** The conversation the bot works on, and the post it answers. */
type Held = { conversationId: string; channel: ChannelBotSetting; language: Locale };
type Post = { id: string; externalId: string | null; text: string; postedAt: Date };

/** The ingest pipeline (ingestBatch) and then the bot, in the same transaction. */
export async function ingestWithBot(tx: Tx, effects: Effects, posts: NormalizedInbound[], actor: Actor, env: ChannelBotEnv, receivedAt = new Date()) {
  const results = await ingestBatch(tx, effects, posts, actor, receivedAt);
  await botOnIngest(tx, effects, posts, results, actor, { ...env, now: env.now ?? receivedAt });
  return results;
}

async function botOnIngest(
  tx: Tx,
  effects: Effects,
  posts: NormalizedInbound[],
  results: IngestResult[],
  actor: Actor,
  env: ChannelBotEnv & { now: Date },
): Promise<void> {
  const ids = [...new Set(results.filter((r) => r.created).map((r) => r.messageId))];
  if (ids.length === 0) return;
  // only channels whose connector lets a bot answer (nothing more is read for the others)
  const channels = new Map(
    (await findBotChannels(tx, [...new Set(posts.map((p) => p.channelId))]))
      .filter((c) => env.connectors.of(c.kind)?.capabilities.botReplies)
      .map((c) => [c.id, c]),
  );
  if (channels.size === 0) return;
  const order = new Map(ids.map((id, i) => [id, i]));
  const stored = (await findInboundForBot(tx, ids)).sort((a, b) => order.get(a.id)! - order.get(b.id)!);
  for (const p of stored) {
    const channel = channels.get(p.channelId);
    const connector = channel && env.connectors.of(channel.kind);
    if (!channel || !connector) continue;
    const hold = await lockConversationBot(tx, p.conversationId);
    if (hold?.state === 'holding') {
      await customerWrites(tx, effects, { conversationId: p.conversationId, channel, language: hold.language }, p, hold.turns, actor, env.baseUrl);
      continue;
    }
    // a new conversation, on a channel whose bot is on, inside the free-text window (WhatsApp: 24 h after the
    // customer's message; a late delivery may be outside). A conversation the bot holds stays its own until it
    // lets go, even when the bot is turned off meanwhile (its turns are bounded)
    const window = connector.limits(channel).freeTextWindowHours;
    if (hold || !p.conversationIsNew || !channel.botEnabled || !channel.botHelpSiteId) continue;
    if (window !== undefined && !insideWindow(p.postedAt, env.now, window)) continue;
    const language = customerLanguage(p.language, p.conversationLanguage);
    await insertConversationBot(tx, { conversationId: p.conversationId, channelId: channel.id, language, at: p.postedAt });
    await takeTurn(tx, effects, { conversationId: p.conversationId, channel, language }, p, 0, env.baseUrl);
  }
}

/** The post's own language if the bot speaks it, else the conversation's, else German. */
function customerLanguage(...candidates: (string | null)[]): Locale {
  return (candidates.find((l) => l === 'de' || l === 'en') as Locale | undefined) ?? 'de';
}

/** The customer wrote while the bot holds the conversation: a keyword answer, or another question. */
async function customerWrites(tx: Tx, effects: Effects, held: Held, post: Post, turnsTaken: number, actor: Actor, baseUrl: string): Promise<void> {
  const conversation = await lockConversation(tx, held.conversationId);
  if (conversation?.status !== 'new') return handOver(tx, effects, held, post, { reason: 'taken', actor: BOT_ACTOR, disclosure: null });
  // the new post's clock pauses with the others: until the bot lets go, no person owes it an answer
  await pauseClocksForBot(tx, { ...statusChange(held, actor), now: post.postedAt });
  const answer = keywordAnswer(post.text);
  if (!answer) return takeTurn(tx, effects, held, post, turnsTaken, baseUrl);
  const outcome = answerOutcome(answer);
  if (outcome.kind === 'self_served') return selfServe(tx, effects, held, post, actor);
  return handOver(tx, effects, held, post, { reason: outcome.reason, actor, disclosure: null });
}

/** One bot turn for the customer's words (`turnsTaken` before it; the first one opens with the disclosure). */
async function takeTurn(tx: Tx, effects: Effects, held: Held, post: Post, turnsTaken: number, baseUrl: string): Promise<void> {
  const { channel, language } = held;
  const disclosure = turnsTaken === 0 ? completeDisclosure(channel.botDisclosure, {}, 'messaging')[language] : null;
  const query = botSearchQuery(post.text);
  const siteId = channel.botHelpSiteId;
  const hits =
    turnsTaken < channel.botMaxTurns && query && siteId
      ? await searchArticles(tx, query, { languages: [language], publishedOnly: true, limit: BOT_ARTICLES_MAX })
      : [];
  const turn = decideBotTurn({ turnsTaken, maxTurns: channel.botMaxTurns, hits });
  if (turn.kind === 'handover') return handOver(tx, effects, held, post, { reason: turn.reason, actor: BOT_ACTOR, disclosure });

  const articles = turn.articles.map((a) => ({ id: a.id, title: a.title, url: articleUrl(baseUrl, siteId!, a.id) }));
  const messageId = await send(tx, effects, held, offerReply(language, disclosure, articles, 'messaging'), post);
  await insertBotOffers(
    tx,
    messageId,
    held.conversationId,
    articles.map((a) => a.id),
    post.postedAt,
  );
  await setConversationBotTurns(tx, held.conversationId, turnsTaken + 1);
  await pauseClocksForBot(tx, { ...statusChange(held, BOT_ACTOR), now: post.postedAt });
  await appendAudit(tx, {
    actor: BOT_ACTOR,
    action: 'conversation.bot_answered',
    subjectType: 'conversation',
    subjectId: held.conversationId,
    channelId: channel.id,
    after: { turn: turnsTaken + 1, messageId, articles: articles.length, articleIds: articles.map((a) => a.id) },
  });
}

/** The bot lets go: its last word (not when a person took the conversation), the clocks run again, routing. */
async function handOver(
  tx: Tx,
  effects: Effects,
  held: Held,
  post: Post,
  how: { reason: BotHandoverReason; actor: Actor; disclosure: string | null },
): Promise<void> {
  const notHelped = how.reason === 'not_helped' ? await answerLatestOffer(tx, held.conversationId, 'not_helped') : [];
  if (how.reason !== 'taken') await send(tx, effects, held, handoverReply(held.language, how.disclosure, how.reason === 'no_match'), post);
  await setConversationBotDone(tx, held.conversationId, { state: 'handed_over', reason: how.reason, at: post.postedAt });
  await resumeClocksAfterBot(tx, { ...statusChange(held, how.actor), now: post.postedAt });
  await appendAudit(tx, {
    actor: how.actor,
    action: 'conversation.bot_handed_over',
    subjectType: 'conversation',
    subjectId: held.conversationId,
    channelId: held.channel.id,
    after: { reason: how.reason, ...(notHelped.length ? { notHelpedArticleIds: notHelped } : {}) },
  });
  effects.enqueue(routingPass([held.channel.id]));
  effects.publish({ type: 'routing' });
}

/** JA: the bot's goodbye, the clocks cleared (nobody owes an answer), the conversation closed as self-served. */
async function selfServe(tx: Tx, effects: Effects, held: Held, post: Post, actor: Actor): Promise<void> {
  const helped = await answerLatestOffer(tx, held.conversationId, 'helped');
  await send(tx, effects, held, selfServedReply(held.language, 'messaging'), post);
  const clearedClocks = await clearPausedClocks(tx, held.conversationId);
  await setConversationBotDone(tx, held.conversationId, { state: 'self_served', reason: null, at: post.postedAt });
  await appendAudit(tx, {
    actor,
    action: 'conversation.bot_self_served',
    subjectType: 'conversation',
    subjectId: held.conversationId,
    channelId: held.channel.id,
    after: { helpedArticleIds: helped, clearedClocks },
  });
  await changeStatus(
    tx,
    effects,
    { conversationId: held.conversationId, status: 'closed', reason: SELF_SERVED_REASON },
    { actor, role: VISITOR_SIDE_ROLE, now: post.postedAt },
  );
}

/** The bot's message, queued for the channel's connector as a reply to the customer's post, stamped after it. */
async function send(tx: Tx, effects: Effects, held: Held, reply: BotReply, post: Post): Promise<string> {
  const id = await insertQueuedBotMessage(tx, {
    conversationId: held.conversationId,
    channelId: held.channel.id,
    text: reply.text,
    authorName: reply.authorName,
    inReplyToExternalId: post.externalId,
    raw: { bot: reply.content },
    at: new Date(Math.max(Date.now(), post.postedAt.getTime() + 1)),
  });
  effects.enqueue({ name: 'deliver-reply', data: { messageId: id } });
  effects.publish({ type: 'conversation', conversationId: held.conversationId, channelId: held.channel.id, change: 'message' });
  return id;
}

const statusChange = (held: Held, actor: Actor) =>
  ({ conversationId: held.conversationId, channelId: held.channel.id, from: 'new', to: 'new', actor }) as const;
