/** The most frequent terms and hashtags of a set of posts, without German and English function words. */
import { hashtagsOf, wordsOf } from './postWords';

const STOPWORDS = new Set(
  (
    'der die das den dem des ein eine einer eines einem einen und oder aber nicht kein keine ist sind war waren bin bist hat haben hatte ' +
    'ich du er sie es wir ihr mein meine dein ihre ihr sein seine uns euch mich dich mir dir ihm ihn man mit von zu zum zur im in am an auf ' +
    'aus bei für über unter nach vor wie was wer wo wann warum dass als auch noch schon nur so sehr mal doch ja nein hier da dann denn wenn ' +
    'the a an and or but not no is are was were be been am i you he she it we they my your our their me him her us them of to in on at ' +
    'for with from by as that this these those what who when where why how so very just also too can will would do does did have has had'
  ).split(' '),
);

export type TermCount = { term: string; count: number };

function top(counts: Map<string, number>, n: number): TermCount[] {
  return [...counts]
    .map(([term, count]) => ({ term, count }))
    .sort((a, b) => b.count - a.count || (a.term < b.term ? -1 : 1))
    .slice(0, n);
}

/** Each post counts a term once (a post repeating a word twenty times is one voice). */
export function topTerms(texts: string[], n: number): { terms: TermCount[]; hashtags: TermCount[] } {
  const terms = new Map<string, number>();
  const hashtags = new Map<string, number>();
  for (const text of texts) {
    const tags = new Set(hashtagsOf(text));
    for (const tag of tags) hashtags.set(tag, (hashtags.get(tag) ?? 0) + 1);
    for (const w of new Set(wordsOf(text))) {
      if (w.length < 3 || STOPWORDS.has(w) || tags.has(w) || /^\d+$/.test(w)) continue;
      terms.set(w, (terms.get(w) ?? 0) + 1);
    }
  }
  return { terms: top(terms, n), hashtags: top(hashtags, n) };
}
