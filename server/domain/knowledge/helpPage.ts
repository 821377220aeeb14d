/** A chat site's public help page: which languages it speaks, and which of them a visitor reads. */
import type { ChatSite } from '../../db/repositories/chatSites.repo';
import type { Locale } from '../../db/schema';

const LOCALES: Locale[] = ['de', 'en'];

/** The languages the site has texts in (its widget speaks them); a site without texts speaks both. */
export function helpLanguages(site: Pick<ChatSite, 'texts'>): Locale[] {
  const spoken = LOCALES.filter((l) => site.texts[l] && Object.values(site.texts[l]).some((v) => typeof v === 'string' && v.trim()));
  return spoken.length ? spoken : LOCALES;
}

/** The visitor's language if the site speaks it, else the site's first language. */
export function readerLanguage(languages: Locale[], visitor: Locale): Locale {
  return languages.includes(visitor) ? visitor : languages[0]!;
}
