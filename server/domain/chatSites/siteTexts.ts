/**
 * The widget's texts per language. A text a manager leaves empty takes its lawful default: the consent text
 * says what is stored and why (GDPR Art. 13) and that a person answers, the offline text offers the e-mail
 * path (the widget's own defaults, `widget.text.*`). Stored complete, so a site's texts are what the widget shows.
 */
import type { BotDisclosure, ChatSiteTexts, Locale } from '../../db/schema';
import type { MessageKey } from '../../i18n/messages';
import { translator } from '../../i18n/translate';

const LOCALES: readonly Locale[] = ['de', 'en'];
export const TEXT_NAMES = ['title', 'greeting', 'offline', 'consent'] as const;
type TextName = (typeof TEXT_NAMES)[number];
export type CompleteTexts = Record<Locale, Record<TextName, string>>;
type TextsPatch = Partial<Record<Locale, Partial<Record<TextName, string | undefined>> | undefined>>;

/** The stored texts with a change laid over them, per language and text; an empty text is its default. */
export function completeTexts(stored: ChatSiteTexts, change: TextsPatch = {}): CompleteTexts {
  const texts = {} as CompleteTexts;
  for (const locale of LOCALES) {
    const t = translator(locale);
    const own = { ...stored[locale], ...change[locale] };
    texts[locale] = {} as Record<TextName, string>;
    for (const name of TEXT_NAMES) texts[locale][name] = own[name]?.trim() || t(('widget.text.' + name) as MessageKey);
  }
  return texts;
}

/**
 * The bot's disclosure per language with a change laid over it; an empty one is the lawful default (EU AI Act Art.
 * 50): the widget's names its "talk to a person" button, a messaging channel's (`messaging`) does not (its bot
 * names the keyword in each message).
 */
export function completeDisclosure(
  stored: BotDisclosure,
  change: Partial<Record<Locale, string | undefined>> = {},
  where: 'widget' | 'messaging' = 'widget',
): Record<Locale, string> {
  const key = where === 'widget' ? 'bot.disclosure.default' : 'bot.disclosure.messagingDefault';
  const texts = {} as Record<Locale, string>;
  for (const locale of LOCALES) texts[locale] = (change[locale] ?? stored[locale])?.trim() || translator(locale)(key);
  return texts;
}
