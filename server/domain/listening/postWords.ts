/**
 * How a post's text is cut into words for listening queries (and for the dashboard's top terms): Unicode
 * letters, digits and underscores, lower-cased; hashtags and @handles are kept apart as well. A query's
 * terms are cut by the same rule, so a query word always means a post word.
 */
const WORD = /[\p{L}\p{N}_]+/gu;
const HASHTAG = /#([\p{L}\p{N}_]+)/gu;
const HANDLE = /@([\p{L}\p{N}_]+)/gu;

export const isWordChar = (ch: string) => /^[\p{L}\p{N}_]$/u.test(ch);

export function wordsOf(text: string): string[] {
  return (text.normalize('NFKC').toLowerCase().match(WORD) ?? []) as string[];
}

export function hashtagsOf(text: string): string[] {
  return [...text.normalize('NFKC').toLowerCase().matchAll(HASHTAG)].map((m) => m[1]!);
}

export function handlesOf(text: string): string[] {
  return [...text.normalize('NFKC').toLowerCase().matchAll(HANDLE)].map((m) => m[1]!);
}
