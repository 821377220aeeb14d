/** Picks the user's language and formats texts and times for it (Europe/Berlin by default). */
import type { Locale } from '../db/schema';
import { dateTimeFormat } from '../domain/time/zonedTime';
import { MESSAGES, type MessageKey } from './messages';

export const DEFAULT_TIME_ZONE = 'Europe/Berlin';

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translator(locale: Locale): Translate {
  const table = MESSAGES[locale];
  return (key, vars) => table[key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars?.[name] ?? `{${name}}`));
}

export function formatDateTime(locale: Locale, at: Date, timeZone = DEFAULT_TIME_ZONE): string {
  return dateTimeFormat(locale === 'de' ? 'de-DE' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(at);
}

/** The best locale for a visitor who is not signed in. */
export function localeFromHeader(acceptLanguage: string | undefined): Locale {
  const first = (acceptLanguage ?? '').split(',')[0]?.trim().slice(0, 2).toLowerCase();
  return first === 'en' ? 'en' : 'de';
}
