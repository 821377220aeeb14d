/**
 * The bot's messages in the visitor's language. Each is stored as plain text (what the console, the API and a
 * transcript show: the articles with their links) and as the parts the widget lays out (its label "Automatische
 * Antwort", the intro, the article links, the question). The chat's first bot message opens with the site's
 * disclosure that an automated system answers (EU AI Act Art. 50).
 */
import type { BotContent } from '../../db/repositories/chatSessions.repo';
import type { Locale } from '../../db/schema';
import { translator } from '../../i18n/translate';

export type BotReply = { text: string; authorName: string; content: BotContent };
type Article = { id: string; title: string; url: string };

function reply(lang: Locale, parts: { disclosure: string | null; intro: string; articles?: Article[]; question?: string; handover?: boolean }): BotReply {
  const t = translator(lang);
  const intro = [parts.disclosure, parts.intro].filter(Boolean).join('\n\n');
  const articles = parts.articles ?? [];
  const text = [
    intro,
    ...(articles.length ? [articles.map((a) => `– ${a.title}: ${a.url}`).join('\n')] : []),
    ...(parts.question ? [parts.question] : []),
  ].join('\n\n');
  return {
    text,
    authorName: t('bot.name'),
    content: { label: t('bot.label'), intro, articles, question: parts.question ?? null, handover: parts.handover ?? false },
  };
}

/**
 * Where the customer answers: in the widget (its buttons) or on a messaging channel (a keyword: JA, NEIN,
 * MENSCH; the question names them).
 */
export type BotSurface = 'widget' | 'messaging';

/** Articles that may answer the visitor, and "Hat das geholfen?". */
export function offerReply(lang: Locale, disclosure: string | null, articles: Article[], surface: BotSurface = 'widget'): BotReply {
  const t = translator(lang);
  return reply(lang, { disclosure, intro: t('bot.offer'), articles, question: t(surface === 'widget' ? 'bot.question' : 'bot.keywordQuestion') });
}

/** The bot hands the chat to a person (no article matched: it says so). */
export function handoverReply(lang: Locale, disclosure: string | null, noMatch: boolean): BotReply {
  return reply(lang, { disclosure, intro: translator(lang)(noMatch ? 'bot.noMatch' : 'bot.handover'), handover: true });
}

/** The article helped: the chat (the conversation) ends as self-served. */
export function selfServedReply(lang: Locale, surface: BotSurface = 'widget'): BotReply {
  return reply(lang, { disclosure: null, intro: translator(lang)(surface === 'widget' ? 'bot.selfServed' : 'bot.selfServedMessaging') });
}
