/**
 * The listening query language: a recursive-descent parser, its syntax tree and a printer that writes
 * the tree back in canonical form (parse(print(q)) equals q).
 *
 *   query   := or
 *   or      := and ("OR" and)*
 *   and     := not (["AND"] not)*          adjacent terms are joined by AND
 *   not     := "NOT" not | near
 *   near    := primary ("NEAR/" n primary)?   both sides words or phrases, 1 ≤ n ≤ 20
 *   primary := "(" or ")" | word["*"] | "\"" words "\"" | "#"tag | "@"handle | lang:xx | channel:kind
 *
 * Operators are upper case (a lower-case "and" is a word). Precedence, tightest first: NEAR, NOT, AND,
 * OR. Words are matched case-insensitively; a `*` suffix matches every word that starts with the
 * prefix (at least two characters). Errors name a reason and the 0-based character position.
 */
import { isWordChar, wordsOf } from './postWords';

export type QueryNode =
  | { type: 'or'; items: QueryNode[] }
  | { type: 'and'; items: QueryNode[] }
  | { type: 'not'; item: QueryNode }
  | { type: 'near'; left: NearOperand; right: NearOperand; distance: number }
  | { type: 'word'; word: string; prefix: boolean }
  | { type: 'phrase'; words: string[] }
  | { type: 'hashtag'; tag: string }
  | { type: 'handle'; handle: string }
  | { type: 'lang'; code: string }
  | { type: 'channel'; kind: string };

export type NearOperand = Extract<QueryNode, { type: 'word' | 'phrase' }>;

export const QUERY_ERROR_REASONS = [
  'empty',
  'too_long',
  'too_deep',
  'unexpected_character',
  'unexpected_token',
  'unexpected_end',
  'unclosed_quote',
  'empty_phrase',
  'unclosed_bracket',
  'unmatched_bracket',
  'wildcard_too_short',
  'empty_hashtag',
  'empty_handle',
  'unknown_field',
  'bad_field_value',
  'near_distance',
  'near_operand',
] as const;
export type QueryErrorReason = (typeof QUERY_ERROR_REASONS)[number];

export class QuerySyntaxError extends Error {
  constructor(
    readonly reason: QueryErrorReason,
    readonly position: number,
  ) {
    super(`${reason} at ${position}`);
  }
}

export const MAX_QUERY_LENGTH = 2000;
const MAX_DEPTH = 30;
export const MAX_NEAR_DISTANCE = 20;

type Token =
  | { kind: 'op'; op: 'AND' | 'OR' | 'NOT'; at: number }
  | { kind: 'near'; distance: number; at: number }
  | { kind: 'open' | 'close'; at: number }
  | { kind: 'leaf'; node: QueryNode; at: number };

const FIELDS = {
  lang: { pattern: /^[a-z]{2}$/, make: (v: string): QueryNode => ({ type: 'lang', code: v }) },
  channel: { pattern: /^[a-z][a-z0-9_]{0,39}$/, make: (v: string): QueryNode => ({ type: 'channel', kind: v }) },
} as const;

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const readWord = (from: number) => {
    let j = from;
    while (j < src.length && isWordChar(src[j]!)) j++;
    return j;
  };
  while (i < src.length) {
    const ch = src[i]!;
    if (/\s/u.test(ch)) {
      i++;
    } else if (ch === '(' || ch === ')') {
      tokens.push({ kind: ch === '(' ? 'open' : 'close', at: i });
      i++;
    } else if (ch === '"') {
      const end = src.indexOf('"', i + 1);
      if (end < 0) throw new QuerySyntaxError('unclosed_quote', i);
      const words = wordsOf(src.slice(i + 1, end));
      if (words.length === 0) throw new QuerySyntaxError('empty_phrase', i);
      tokens.push({ kind: 'leaf', node: { type: 'phrase', words }, at: i });
      i = end + 1;
    } else if (ch === '#' || ch === '@') {
      const end = readWord(i + 1);
      if (end === i + 1) throw new QuerySyntaxError(ch === '#' ? 'empty_hashtag' : 'empty_handle', i + 1);
      const value = src
        .slice(i + 1, end)
        .normalize('NFKC')
        .toLowerCase();
      tokens.push({ kind: 'leaf', node: ch === '#' ? { type: 'hashtag', tag: value } : { type: 'handle', handle: value }, at: i });
      i = end;
    } else if (isWordChar(ch)) {
      const end = readWord(i);
      const raw = src.slice(i, end);
      if (raw === 'AND' || raw === 'OR' || raw === 'NOT') {
        tokens.push({ kind: 'op', op: raw, at: i });
        i = end;
      } else if (raw === 'NEAR' && src[end] === '/') {
        const digitsEnd = end + 1 + (/^\d*/.exec(src.slice(end + 1))?.[0].length ?? 0);
        const distance = Number(src.slice(end + 1, digitsEnd));
        if (digitsEnd === end + 1 || distance < 1 || distance > MAX_NEAR_DISTANCE) throw new QuerySyntaxError('near_distance', end + 1);
        tokens.push({ kind: 'near', distance, at: i });
        i = digitsEnd;
      } else if (src[end] === ':') {
        const field = FIELDS[raw as keyof typeof FIELDS];
        if (!Object.hasOwn(FIELDS, raw) || !field) throw new QuerySyntaxError('unknown_field', i);
        const valueEnd = readWord(end + 1);
        const value = src.slice(end + 1, valueEnd).toLowerCase();
        if (valueEnd < src.length && !/[\s()]/u.test(src[valueEnd]!)) throw new QuerySyntaxError('unexpected_character', valueEnd);
        if (!field.pattern.test(value)) throw new QuerySyntaxError('bad_field_value', end + 1);
        tokens.push({ kind: 'leaf', node: field.make(value), at: i });
        i = valueEnd;
      } else {
        const prefix = src[end] === '*';
        const words = wordsOf(raw);
        if (prefix && [...words[0]!].length < 2) throw new QuerySyntaxError('wildcard_too_short', i);
        tokens.push({ kind: 'leaf', node: { type: 'word', word: words[0]!, prefix }, at: i });
        i = prefix ? end + 1 : end;
      }
    } else {
      throw new QuerySyntaxError('unexpected_character', i);
    }
  }
  return tokens;
}

export function parseQuery(src: string): QueryNode {
  if (src.length > MAX_QUERY_LENGTH) throw new QuerySyntaxError('too_long', MAX_QUERY_LENGTH);
  const tokens = tokenize(src);
  if (tokens.length === 0) throw new QuerySyntaxError('empty', 0);
  let pos = 0;
  let depth = 0;
  const peek = () => tokens[pos];
  const endAt = () => src.length;

  const parseOr = (): QueryNode => {
    const items = [parseAnd()];
    while (peek()?.kind === 'op' && (peek() as { op: string }).op === 'OR') {
      pos++;
      items.push(parseAnd());
    }
    return items.length === 1 ? items[0]! : { type: 'or', items };
  };
  const startsOperand = (t: Token | undefined) => t !== undefined && (t.kind === 'leaf' || t.kind === 'open' || (t.kind === 'op' && t.op === 'NOT'));
  const parseAnd = (): QueryNode => {
    const items = [parseNot()];
    for (;;) {
      const t = peek();
      if (t?.kind === 'op' && t.op === 'AND') {
        pos++;
        items.push(parseNot());
      } else if (startsOperand(t)) {
        items.push(parseNot());
      } else break;
    }
    return items.length === 1 ? items[0]! : { type: 'and', items };
  };
  const parseNot = (): QueryNode => {
    const t = peek();
    if (t?.kind === 'op' && t.op === 'NOT') {
      pos++;
      return nested(() => ({ type: 'not', item: parseNot() }), t.at);
    }
    return parseNear();
  };
  const parseNear = (): QueryNode => {
    const left = parsePrimary();
    const t = peek();
    if (t?.kind !== 'near') return left;
    if (tokens[pos - 1]!.kind !== 'leaf' || (left.type !== 'word' && left.type !== 'phrase')) throw new QuerySyntaxError('near_operand', t.at);
    pos++;
    const r = peek();
    if (!r) throw new QuerySyntaxError('unexpected_end', endAt());
    if (r.kind !== 'leaf' || (r.node.type !== 'word' && r.node.type !== 'phrase')) throw new QuerySyntaxError('near_operand', r.at);
    pos++;
    return { type: 'near', left, right: r.node, distance: t.distance };
  };
  const parsePrimary = (): QueryNode => {
    const t = peek();
    if (!t) throw new QuerySyntaxError('unexpected_end', endAt());
    if (t.kind === 'leaf') {
      pos++;
      return t.node;
    }
    if (t.kind === 'open') {
      pos++;
      const inner = nested(parseOr, t.at);
      const close = peek();
      if (close?.kind !== 'close') throw new QuerySyntaxError(close ? 'unexpected_token' : 'unclosed_bracket', close ? close.at : t.at);
      pos++;
      return inner;
    }
    throw new QuerySyntaxError('unexpected_token', t.at);
  };
  const nested = (fn: () => QueryNode, at: number): QueryNode => {
    if (++depth > MAX_DEPTH) throw new QuerySyntaxError('too_deep', at);
    const node = fn();
    depth--;
    return node;
  };

  const tree = parseOr();
  const rest = peek();
  if (rest) throw new QuerySyntaxError(rest.kind === 'close' ? 'unmatched_bracket' : 'unexpected_token', rest.at);
  return tree;
}

/** The canonical text of a query: explicit operators, brackets only where precedence needs them. */
export function printQuery(node: QueryNode): string {
  switch (node.type) {
    case 'or':
      return node.items.map(printQuery).join(' OR ');
    case 'and':
      return node.items.map((n) => (n.type === 'or' ? `(${printQuery(n)})` : printQuery(n))).join(' AND ');
    case 'not':
      return `NOT ${node.item.type === 'or' || node.item.type === 'and' ? `(${printQuery(node.item)})` : printQuery(node.item)}`;
    case 'near':
      return `${printQuery(node.left)} NEAR/${node.distance} ${printQuery(node.right)}`;
    case 'word':
      return node.word + (node.prefix ? '*' : '');
    case 'phrase':
      return `"${node.words.join(' ')}"`;
    case 'hashtag':
      return `#${node.tag}`;
    case 'handle':
      return `@${node.handle}`;
    case 'lang':
      return `lang:${node.code}`;
    case 'channel':
      return `channel:${node.kind}`;
  }
}
