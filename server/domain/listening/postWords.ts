/**
 * How a post's text is cut into words for listening queries (and for the dashboard's top terms): Unicode
 * letters, digits and underscores, lower-cased; hashtags and @handles are kept apart as well. A query's
 * terms are cut by the same rule, so a query word always means a post word.
 */
const WORD = /[\p{L}\p{N}_]+/gu;
const HASHTAG = /#([\p{L}\p{N}_]+)/gu;
const HANDLE = /@([\p{L}\p{N}_]+)/gu;

export const isWordChar = (ch: string) => /^[\p{L}\p{N}_]$/u.test(ch);

const folded = (text: string) => text.normalize('NFKC').toLowerCase();
const wordsIn = (f: string) => (f.match(WORD) ?? []) as string[];
const hashtagsIn = (f: string) => [...f.matchAll(HASHTAG)].map((m) => m[1]!);
const handlesIn = (f: string) => [...f.matchAll(HANDLE)].map((m) => m[1]!);

export const wordsOf = (text: string): string[] => wordsIn(folded(text));
export const hashtagsOf = (text: string): string[] => hashtagsIn(folded(text));

/** Words, hashtags and handles of a post, its text normalized once. */
export function termsOf(text: string): { words: string[]; hashtags: string[]; handles: string[] } {
  const f = folded(text);
  return { words: wordsIn(f), hashtags: hashtagsIn(f), handles: handlesIn(f) };
}
