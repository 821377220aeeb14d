/** Picks the user's language and formats texts and times for it (Europe/Berlin by default). */
import type { Locale } from '../db/schema';
import { dateTimeFormat } from '../domain/time/zonedTime';
import { MESSAGES, type MessageKey } from './messages';

export const DEFAULT_TIME_ZONE = 'Europe/Berlin';

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

export function translator(locale: Locale): Translate {
  const table = MESSAGES[locale];
  // without vars a placeholder stays as it is, so the text is returned unchanged (most calls: labels in every inbox row)
  return (key, vars) => (vars ? table[key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`)) : table[key]);
}

const intlLocale = (locale: Locale) => (locale === 'de' ? 'de-DE' : 'en-GB');

/**
 * Date-times as shown, kept per language, zone and instant: a page shows the same instants on every view (an inbox
 * row's last post and due times, a thread's posts), and ICU takes about 3 µs for each. Starts again from none at
 * KEPT_DATE_TIMES (a few MB at most).
 */
const dateTimes = new Map<string, string>();
const KEPT_DATE_TIMES = 20_000;

export function formatDateTime(locale: Locale, at: Date, timeZone = DEFAULT_TIME_ZONE): string {
  const instant = Number(at); // what Intl formats: a Date or epoch ms
  // not an instant: Intl's own answer (undefined is "now"), never kept
  const key = Number.isFinite(instant) ? `${locale}|${timeZone}|${instant}` : null;
  let text = key === null ? undefined : dateTimes.get(key);
  if (text === undefined) {
    text = dateTimeFormat(intlLocale(locale), { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(at);
    if (key === null) return text;
    if (dateTimes.size >= KEPT_DATE_TIMES) dateTimes.clear();
    dateTimes.set(key, text);
  }
  return text;
}

/**
 * The number formats of a language, made once: an Intl.NumberFormat takes about 50 µs to make and 1 µs
 * to use, and a report's table formats a figure per row and column.
 */
function numberFormatsOf(locale: Locale) {
  const make = (options: Intl.NumberFormatOptions) => new Intl.NumberFormat(intlLocale(locale), { maximumFractionDigits: 1, ...options });
  const unit = (name: 'byte' | 'kilobyte' | 'megabyte') => make({ style: 'unit', unit: name, unitDisplay: 'short' });
  return { number: make({}), percent: make({ style: 'percent' }), byte: unit('byte'), kilobyte: unit('kilobyte'), megabyte: unit('megabyte') };
}
const NUMBER_FORMATS = { de: numberFormatsOf('de'), en: numberFormatsOf('en') } satisfies Record<Locale, unknown>;

/** A number in the user's locale with at most one decimal (`1.234,5` / `1,234.5`). */
export function formatNumber(locale: Locale, n: number): string {
  return NUMBER_FORMATS[locale].number.format(n);
}

/** A percentage (0–100) in the user's locale: `55,9 %` / `55.9%`. */
export function formatPercent(locale: Locale, pct: number): string {
  return NUMBER_FORMATS[locale].percent.format(pct / 100);
}

/** A file size in the user's locale: `512 Byte` / `340 kB` / `1,2 MB` (decimal units, at most one decimal). */
export function formatBytes(locale: Locale, bytes: number): string {
  const [unit, value] = bytes >= 1e6 ? (['megabyte', bytes / 1e6] as const) : bytes >= 1e3 ? (['kilobyte', bytes / 1e3] as const) : (['byte', bytes] as const);
  return NUMBER_FORMATS[locale][unit].format(value);
}

/** A calendar date in the user's locale: `03.12.2026` / `03/12/2026`. */
export function formatDate(locale: Locale, at: Date, timeZone = DEFAULT_TIME_ZONE): string {
  return dateTimeFormat(intlLocale(locale), { day: '2-digit', month: '2-digit', year: 'numeric', timeZone }).format(at);
}

/** The best locale for a visitor who is not signed in. */
export function localeFromHeader(acceptLanguage: string | undefined): Locale {
  const first = (acceptLanguage ?? '').split(',')[0]?.trim().slice(0, 2).toLowerCase();
  return first === 'en' ? 'en' : 'de';
}
