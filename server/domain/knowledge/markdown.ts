/**
 * A strict Markdown subset for knowledge articles, rendered to HTML that is escaped by construction: every
 * piece of the author's text goes through `escapeHtml`, and the only markup is the fixed tags written here.
 *
 * Blocks: paragraphs (separated by a blank line), headings `#`–`###` (shown as h2–h4 under the page's h1),
 * lists (`- ` / `* ` or `1. `), fenced code (```). Inline: `code`, **bold**, *italic* / _italic_,
 * [links](https://…) to http, https and mailto addresses only (rel="noopener noreferrer"), `\` escapes the
 * next character. Anything else — HTML, images, other link schemes — is shown as the text it is.
 */
import { escapeHtml } from '../../presenters/html';

const LINK_SCHEMES = new Set(['http:', 'https:', 'mailto:']);
/** Nesting deeper than this (bold in italic in a link …) is shown as text: bounded work for any input. */
const MAX_DEPTH = 4;

/** The address a link may point to, normalised by the URL parser; undefined for any other scheme or junk. */
export function safeHref(raw: string): string | undefined {
  const trimmed = raw.trim();
  if (!trimmed || /[\s<>"'`]/.test(trimmed)) return undefined;
  try {
    const url = new URL(trimmed);
    return LINK_SCHEMES.has(url.protocol) ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `indexOf` that remembers its last answer: scanning left to right, the next closer after a position is
 * the one found before as long as the position has not passed it, so unmatched openers cost linear time.
 */
function closerFinder(text: string) {
  const last = new Map<string, { from: number; at: number }>();
  return (token: string, from: number): number => {
    const known = last.get(token);
    if (known && known.from <= from && (known.at === -1 || known.at >= from)) return known.at;
    const at = text.indexOf(token, from);
    last.set(token, { from, at });
    return at;
  };
}

const isWordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);

export function renderInline(text: string, depth = 0): string {
  const find = closerFinder(text);
  let out = '';
  let plain = '';
  const flush = () => {
    out += escapeHtml(plain);
    plain = '';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\' && i + 1 < text.length && /[\\`*_[\]()#>!-]/.test(text[i + 1]!)) {
      plain += text[i + 1];
      i += 2;
      continue;
    }
    if (c === '`') {
      const end = find('`', i + 1);
      if (end > i + 1) {
        flush();
        out += `<code>${escapeHtml(text.slice(i + 1, end))}</code>`;
        i = end + 1;
        continue;
      }
    }
    if (depth < MAX_DEPTH && c === '*' && text[i + 1] === '*') {
      const end = find('**', i + 2);
      if (end > i + 2 && text[i + 2] !== ' ') {
        flush();
        out += `<strong>${renderInline(text.slice(i + 2, end), depth + 1)}</strong>`;
        i = end + 2;
        continue;
      }
    }
    if (depth < MAX_DEPTH && (c === '*' || c === '_') && text[i + 1] !== c && text[i + 1] !== ' ' && !(c === '_' && isWordChar(text[i - 1]))) {
      const end = find(c, i + 1);
      if (end > i + 1 && !(c === '_' && isWordChar(text[end + 1]))) {
        flush();
        out += `<em>${renderInline(text.slice(i + 1, end), depth + 1)}</em>`;
        i = end + 1;
        continue;
      }
    }
    if (depth < MAX_DEPTH && c === '[') {
      const close = find('](', i + 1);
      const end = close > i ? find(')', close + 2) : -1;
      const label = close > i + 1 ? text.slice(i + 1, close) : '';
      const href = end > close && !label.includes('[') ? safeHref(text.slice(close + 2, end)) : undefined;
      if (href) {
        flush();
        out += `<a href="${escapeHtml(href)}" rel="noopener noreferrer">${renderInline(label, MAX_DEPTH)}</a>`;
        i = end + 1;
        continue;
      }
    }
    plain += c;
    i += 1;
  }
  flush();
  return out;
}

type Block =
  | { kind: 'paragraph'; lines: string[] }
  | { kind: 'heading'; level: number; text: string }
  | { kind: 'list'; ordered: boolean; items: string[] }
  | { kind: 'code'; lines: string[] };

const HEADING = /^(#{1,3})\s+(.*)$/;
const BULLET = /^\s{0,3}[-*]\s+(.*)$/;
const NUMBERED = /^\s{0,3}\d{1,9}[.)]\s+(.*)$/;
const FENCE = /^\s{0,3}```/;

function blocksOf(markdown: string): Block[] {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const blocks: Block[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i]!;
    if (!line.trim()) {
      i += 1;
      continue;
    }
    if (FENCE.test(line)) {
      const code: string[] = [];
      i += 1;
      while (i < lines.length && !FENCE.test(lines[i]!)) code.push(lines[i++]!);
      i += 1; // the closing fence (or the end of the text)
      blocks.push({ kind: 'code', lines: code });
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      blocks.push({ kind: 'heading', level: heading[1]!.length, text: heading[2]!.replace(/\s+#+\s*$/, '') });
      i += 1;
      continue;
    }
    const ordered = NUMBERED.test(line);
    if (ordered || BULLET.test(line)) {
      const marker = ordered ? NUMBERED : BULLET;
      const items: string[] = [];
      while (i < lines.length && marker.test(lines[i]!)) items.push(marker.exec(lines[i++]!)![1]!);
      blocks.push({ kind: 'list', ordered, items });
      continue;
    }
    const paragraph: string[] = [];
    while (i < lines.length && lines[i]!.trim() && !FENCE.test(lines[i]!) && !HEADING.test(lines[i]!) && !BULLET.test(lines[i]!) && !NUMBERED.test(lines[i]!))
      paragraph.push(lines[i++]!.trim());
    blocks.push({ kind: 'paragraph', lines: paragraph });
  }
  return blocks;
}

function blockHtml(b: Block): string {
  switch (b.kind) {
    case 'heading':
      return `<h${b.level + 1}>${renderInline(b.text)}</h${b.level + 1}>`;
    case 'list': {
      const tag = b.ordered ? 'ol' : 'ul';
      return `<${tag}>${b.items.map((item) => `<li>${renderInline(item)}</li>`).join('')}</${tag}>`;
    }
    case 'code':
      return `<pre><code>${escapeHtml(b.lines.join('\n'))}</code></pre>`;
    case 'paragraph':
      return `<p>${b.lines.map((l) => renderInline(l)).join('<br>')}</p>`;
  }
}

/** The article's body as HTML for the help page, the console preview and the API (`bodyHtml`). */
export function renderMarkdown(markdown: string): string {
  return blocksOf(markdown).map(blockHtml).join('\n');
}
