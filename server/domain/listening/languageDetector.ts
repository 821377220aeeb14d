/**
 * tinyld's language detection (its "normal" n-gram model, tinyldModel.ts), computed for the few languages our
 * customers write in and without the library's per-call waste. The answers are tinyld's own: for every text,
 * `detect(text, { only })` and this function name the same language or both ''
 * (tests/unit/listening/languageDetector.test.ts holds them side by side). What differs is the work:
 * tinyld builds a set of its 60-odd languages for every word, a set of every n-gram's languages, and each
 * n-gram as an array of characters, and keeps every language's n-grams; here the n-grams are substrings, the
 * languages an index into a small array, and only the asked languages' n-grams are kept.
 *
 * tinyld's rule, as implemented here:
 * 1. The text is split at punctuation, each chunk cleaned (lower case, punctuation and digits out, spaces
 *    collapsed); the 7 longest chunks are read. (The last character of each run of separators becomes a
 *    chunk of its own too; most are then cleaned away, but brackets such as ( ) { } < > stay and count.)
 * 2. A chunk containing an n-gram (1 to 5 characters, padded with spaces) unique to one asked language is
 *    that language, weighted by the chunk's length: the first such n-gram decides, shorter n-grams first,
 *    then from left to right.
 * 3. Otherwise each word of the chunk scores every asked language by the n-grams they share (weight × the
 *    n-gram's length without accents ÷ 4); the word's 8 best languages count by how close they come to
 *    the best.
 * 4. The language with the most weight wins (ties: the one that counted first).
 */

/** A language model restricted to some languages: n-grams to the index of a language in `languages`. */
export type LanguageModel = {
  /** ISO 639-1 codes, in the model's own order (it decides ties) */
  languages: readonly string[];
  /** an n-gram only one language uses → that language */
  uniques: ReadonlyMap<string, number>;
  /** an n-gram several languages use → pairs of (language, weight), flattened */
  multiples: ReadonlyMap<string, readonly number[]>;
};

const GRAM_SIZES = [1, 2, 3, 4, 5];
const NO_PAIRS: readonly number[] = [];
const CHUNKS_READ = 7;
const RANKED_PER_WORD = 8;

const CHUNK_SEPARATOR = /([,，、。!¿?！？":;()「」{}„“«»”"“<>⋯《》*]|[.[\]\\])+/;
const WORD_SEPARATOR = /[ ]+/;
const PUNCTUATION = /[,.。，、#%&/\\+*¡!¿?[\]！？;:…„“«»”"“_–—~]/gi;
const DIGITS = /[0-9]/g;
const FULL_WIDTH_DIGITS = /[\uFF10-\uFF19]/g;
const SPACE_RUNS = /\s\s+/g;
const APOSTROPHE = /’/gi;
const COMBINING_MARKS = /[\u0300-\u036f]/g;
const NOT_ASCII = /[\u0080-\uffff]/;

function cleanChunk(chunk: string): string {
  return chunk
    .toLowerCase()
    .replace(APOSTROPHE, "'")
    .replace(PUNCTUATION, ' ')
    .replace(FULL_WIDTH_DIGITS, (d) => String.fromCharCode(d.charCodeAt(0) - 65248))
    .replace(DIGITS, '')
    .replace(SPACE_RUNS, ' ')
    .trim();
}

/** The n-gram without accents (an ASCII n-gram has none). */
const withoutMarks = (gram: string) => (NOT_ASCII.test(gram) ? gram.normalize('NFD').replace(COMBINING_MARKS, '') : gram);

/**
 * The text padded for its n-grams of a size: they are `padded.slice(at, at + size)` for every `at` up to
 * `padded.length - size`. (tinyld skips the n-grams of white space only or with two spaces in a row; the
 * model holds none, so looking them up finds nothing.)
 */
function paddedFor(text: string, size: number): string {
  const pad = ' '.repeat(size - 1);
  return pad + text + pad;
}

const round4 = (n: number) => Math.round(n * 10_000) / 10_000;

export function createLanguageDetector(model: LanguageModel): (text: string) => string {
  const { languages, uniques, multiples } = model;

  function uniqueLanguage(chunk: string): string {
    for (const size of GRAM_SIZES) {
      const padded = paddedFor(chunk, size);
      for (let at = 0; at + size <= padded.length; at++) {
        const language = uniques.get(padded.slice(at, at + size));
        if (language !== undefined) return languages[language]!;
      }
    }
    return '';
  }

  /** Each asked language's closeness to the word's best (1 for the best), for the word's 8 best. */
  function rankWord(word: string, counted: Map<string, number>): void {
    const scores = new Array<number>(languages.length).fill(0);
    for (const size of GRAM_SIZES) {
      const padded = paddedFor(word, size);
      for (let at = 0; at + size <= padded.length; at++) {
        const gram = withoutMarks(padded.slice(at, at + size));
        const pairs = multiples.get(gram) ?? NO_PAIRS;
        for (let i = 0; i < pairs.length; i += 2) scores[pairs[i]!]! += (pairs[i + 1]! * gram.length) / 4;
      }
    }
    const ranked = languages.map((language, i) => [language, scores[i]!] as const);
    ranked.sort((a, b) => b[1] - a[1]);
    const best = Math.max(...scores) || 1;
    for (const [language, score] of ranked.slice(0, RANKED_PER_WORD)) {
      counted.set(language, (counted.get(language) ?? 0) + (1 - round4((best - score) / best)));
    }
  }

  return (text) => {
    const chunks = text
      .split(CHUNK_SEPARATOR)
      .map(cleanChunk)
      .filter((chunk) => chunk.length > 0)
      .sort((a, b) => b.length - a.length)
      .slice(0, CHUNKS_READ);
    const counted = new Map<string, number>();
    for (const chunk of chunks) {
      const language = uniqueLanguage(chunk);
      if (language) counted.set(language, (counted.get(language) ?? 0) + chunk.length);
      else for (const word of chunk.split(WORD_SEPARATOR)) rankWord(word, counted);
    }
    let winner = '';
    let most = 0;
    for (const [language, weight] of counted) {
      if (weight > most) {
        winner = language;
        most = weight;
      }
    }
    return winner;
  };
}
