/**
 * What the bot does with a visitor's words (pure rules, no I/O). The words become a full-text query that any of
 * them may match (PostgreSQL drops the stop words of the article's language and stems the rest); the bot offers
 * the best matching articles, at most three. It hands over by itself when no article matches, or when the visitor
 * writes again after the site's number of bot turns.
 */
import type { BotHandoverReason } from '../../db/schema';

export const BOT_ARTICLES_MAX = 3;
/** The most words of a message the bot searches with (a long message is cut, not refused). */
export const BOT_QUERY_WORDS_MAX = 30;

/**
 * The visitor's words as a websearch query where any word may match ("a or b or c"). Only letters and digits pass,
 * so nothing the visitor types is read as query syntax (quotes, minus, a literal "or"). Empty: no words at all.
 */
export function botSearchQuery(text: string): string {
  const words = (text.normalize('NFC').match(/[\p{L}\p{N}]+/gu) ?? []).filter((w) => w.toLowerCase() !== 'or');
  return [...new Set(words)].slice(0, BOT_QUERY_WORDS_MAX).join(' or ');
}

export type BotTurn<A> = { kind: 'offer'; articles: A[] } | { kind: 'handover'; reason: Extract<BotHandoverReason, 'max_turns' | 'no_match'> };

/**
 * One turn, for a visitor message while the bot holds the chat: `turnsTaken` bot turns so far (the first message
 * makes the first turn), `maxTurns` the site's limit, `hits` the matching articles best first.
 */
export function decideBotTurn<A>(input: { turnsTaken: number; maxTurns: number; hits: readonly A[] }): BotTurn<A> {
  if (input.turnsTaken >= input.maxTurns) return { kind: 'handover', reason: 'max_turns' };
  if (input.hits.length === 0) return { kind: 'handover', reason: 'no_match' };
  return { kind: 'offer', articles: input.hits.slice(0, BOT_ARTICLES_MAX) };
}

/** The visitor's answer to the bot: "yes" (it helped) closes the chat as self-served; "no" and "human" hand over. */
export type BotAnswer = 'yes' | 'no' | 'human';
export function answerOutcome(answer: BotAnswer): { kind: 'self_served' } | { kind: 'handover'; reason: Extract<BotHandoverReason, 'asked' | 'not_helped'> } {
  if (answer === 'yes') return { kind: 'self_served' };
  return { kind: 'handover', reason: answer === 'no' ? 'not_helped' : 'asked' };
}

/** The keywords a customer answers the bot with on a messaging channel (any case, any punctuation around them). */
const KEYWORDS: Record<string, BotAnswer> = { ja: 'yes', yes: 'yes', nein: 'no', no: 'no', mensch: 'human', human: 'human' };

/**
 * A messaging customer's reply to the bot as an answer: the message is exactly one keyword (JA/YES, NEIN/NO,
 * MENSCH/HUMAN), trimmed, in any case, with punctuation, symbols or emoji around it ("Ja!", "  nein.", "MENSCH 🙂").
 * Anything else (more words, another word) is no answer: the bot takes it as a new question.
 */
export function keywordAnswer(text: string): BotAnswer | null {
  const word = text
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}\s]+/gu, ' ')
    .trim()
    .toLowerCase();
  return Object.hasOwn(KEYWORDS, word) ? KEYWORDS[word]! : null;
}
