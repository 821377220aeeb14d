/**
 * A message's text as HTML for the thread: everything escaped, and web addresses (http and https only)
 * made clickable. A link opens in a new tab without giving that page a handle on the console
 * (`rel="noopener noreferrer nofollow"`). Other schemes (`javascript:`, `data:`, `mailto:`) stay plain text.
 */
import { escapeHtml } from './html';

/** An address up to the next space or angle bracket; trailing punctuation belongs to the sentence, not the link. */
const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"']+/gi;
const TRAILING = /[.,;:!?)\]}]+$/;

export function linkedText(text: string): string {
  let html = '';
  let last = 0;
  for (const m of text.matchAll(URL_IN_TEXT)) {
    const url = m[0].replace(TRAILING, '');
    let parsed: URL | null = null;
    try {
      parsed = new URL(url);
    } catch {
      parsed = null;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) continue;
    html += escapeHtml(text.slice(last, m.index));
    html += `<a href="${escapeHtml(parsed.href)}" rel="noopener noreferrer nofollow" target="_blank">${escapeHtml(url)}</a>`;
    last = m.index + url.length;
  }
  return html + escapeHtml(text.slice(last));
}

export const messageTextViewHelpers = { linkedText };
