/**
 * Evaluates a parsed listening query against one post. The post is cut into words once (postView), and a
 * query is compiled once into a predicate; queryMatcher.ts calls only the predicates a post could satisfy.
 */
import { termsOf } from './postWords';
import type { NearOperand, QueryNode } from './queryLanguage';

export type PostView = {
  words: string[];
  wordSet: Set<string>;
  hashtags: Set<string>;
  /** the author's handle and the handles the text mentions */
  handles: Set<string>;
  language: string | null;
  channelKind: string;
};

export function postView(post: { text: string; authorHandle: string | null; language: string | null; channelKind: string }): PostView {
  const { words, hashtags, handles: mentioned } = termsOf(post.text);
  const handles = new Set(mentioned);
  if (post.authorHandle) handles.add(post.authorHandle.toLowerCase().replace(/^@+/, ''));
  return { words, wordSet: new Set(words), hashtags: new Set(hashtags), handles, language: post.language, channelKind: post.channelKind };
}

export type PostPredicate = (post: PostView) => boolean;

/** Start indexes of every occurrence of a word or phrase in the post's words, with its length. */
function occurrences(op: NearOperand, words: string[]): { start: number; end: number }[] {
  const seq = op.type === 'word' ? [op.word] : op.words;
  const found: { start: number; end: number }[] = [];
  for (let i = 0; i + seq.length <= words.length; i++) {
    let ok = true;
    for (let k = 0; k < seq.length && ok; k++) {
      const w = words[i + k]!;
      ok = op.type === 'word' && op.prefix ? w.startsWith(seq[k]!) : w === seq[k];
    }
    if (ok) found.push({ start: i, end: i + seq.length - 1 });
  }
  return found;
}

export function compileQuery(node: QueryNode): PostPredicate {
  switch (node.type) {
    case 'or': {
      const items = node.items.map(compileQuery);
      return (p) => items.some((f) => f(p));
    }
    case 'and': {
      const items = node.items.map(compileQuery);
      return (p) => items.every((f) => f(p));
    }
    case 'not': {
      const item = compileQuery(node.item);
      return (p) => !item(p);
    }
    case 'near': {
      const { left, right, distance } = node;
      return (p) => {
        const a = occurrences(left, p.words);
        if (a.length === 0) return false;
        const b = occurrences(right, p.words);
        // the number of words between the two is at most `distance`, in either order
        return a.some((x) =>
          b.some(
            (y) =>
              (y.start > x.end ? y.start - x.end - 1 : x.start > y.end ? x.start - y.end - 1 : -1) <= distance && !(x.start === y.start && x.end === y.end),
          ),
        );
      };
    }
    case 'word': {
      const { word, prefix } = node;
      if (!prefix) return (p) => p.wordSet.has(word);
      return (p) => p.words.some((w) => w.startsWith(word));
    }
    case 'phrase': {
      if (node.words.length === 1) {
        const [w] = node.words;
        return (p) => p.wordSet.has(w!);
      }
      return (p) => node.words.every((w) => p.wordSet.has(w)) && occurrences(node, p.words).length > 0;
    }
    case 'hashtag':
      return (p) => p.hashtags.has(node.tag);
    case 'handle':
      return (p) => p.handles.has(node.handle);
    case 'lang':
      return (p) => p.language === node.code;
    case 'channel':
      return (p) => p.channelKind === node.kind;
  }
}
