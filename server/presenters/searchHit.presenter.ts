/**
 * Search hits in the inbox: a text split into plain parts and hits, so the view escapes every part and wraps
 * only the hits in <mark>. Nothing from the text ever becomes markup.
 */
import { HIT_END, HIT_START } from '../db/repositories/conversations.repo';
import { escapeHtml } from './html';
import { safeName } from './names.presenter';

export type TextPart = { text: string; hit: boolean };

/** A ts_headline result (hits between HIT_START and HIT_END) as parts. */
export function headlineParts(marked: string): TextPart[] {
  const parts: TextPart[] = [];
  let hit = false;
  let text = '';
  for (const ch of marked) {
    if (ch !== HIT_START && ch !== HIT_END) {
      text += ch;
      continue;
    }
    if (text) parts.push({ text, hit });
    text = '';
    hit = ch === HIT_START;
  }
  if (text) parts.push({ text, hit });
  return parts;
}

/** Every occurrence of the search term in a text (case-insensitive; a leading @ or # of the term is ignored). */
export function termParts(text: string, term: string): TextPart[] {
  const needle = term.trim().replace(/^[@#]/, '').toLocaleLowerCase();
  const haystack = text.toLocaleLowerCase();
  // Lower-casing may change a text's length (İ → i̇); then the offsets do not fit and nothing is marked.
  if (!needle || haystack.length !== text.length) return [{ text, hit: false }];
  const parts: TextPart[] = [];
  let from = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, at + needle.length)) {
    if (at > from) parts.push({ text: text.slice(from, at), hit: false });
    parts.push({ text: text.slice(at, at + needle.length), hit: true });
    from = at + needle.length;
  }
  if (from < text.length) parts.push({ text: text.slice(from), hit: false });
  return parts;
}

type Row = { id: string; contactName: string; caseNumber: string; snippet: string | null };
export type RowHits = { name: TextPart[]; caseNumber: TextPart[]; snippet: TextPart[] | null };

/** Per listed conversation, where the search term shows: name, case number, and the best matching message. */
export function presentSearchHits(rows: Row[], term: string, headlines: Map<string, string>): Map<string, RowHits> {
  return new Map(
    rows.map((r) => {
      const headline = headlines.get(r.id);
      return [
        r.id,
        { name: termParts(safeName(r.contactName), term), caseNumber: termParts(r.caseNumber, term), snippet: headline ? headlineParts(headline) : null },
      ];
    }),
  );
}

/** Parts as HTML: every part escaped, hits wrapped in <mark>. */
export function hitHtml(parts: TextPart[]): string {
  return parts
    .map((p) => {
      const text = escapeHtml(p.text);
      return p.hit ? `<mark>${text}</mark>` : text;
    })
    .join('');
}
