/**
 * All active listening queries compiled into one matcher: a post is cut into words once (postView), and
 * only the queries it could match are evaluated. Each query gets its anchors — terms of which a matching
 * post must contain at least one (a word, a wildcard prefix, a hashtag, a handle, a language, a channel
 * kind) — and the matcher indexes queries by anchor. A post's terms look up its candidate queries; a
 * query without anchors (one that matches by what a post lacks, e.g. `NOT spam`) is a candidate for every
 * post. Anchors are necessary conditions only: each candidate's own predicate decides, so the result is
 * exactly that of evaluating every query.
 */
import { compileQuery, postView, type PostView } from './matchPost';
import type { QueryNode } from './queryLanguage';

/** Terms a matching post must contain at least one of; null when no term is required. */
type Anchors = { key: string; weak: boolean }[] | null;

const wordKey = (w: string) => `w:${w}`;
const prefixKey = (p: string) => `p:${p}`;
const hashtagKey = (t: string) => `#:${t}`;
const handleKey = (h: string) => `@:${h}`;
const langKey = (l: string | null) => `l:${l}`;
const channelKey = (k: string) => `c:${k}`;

function anchorsOf(node: QueryNode): Anchors {
  switch (node.type) {
    case 'word':
      return [{ key: node.prefix ? prefixKey(node.word) : wordKey(node.word), weak: false }];
    case 'phrase':
      return [{ key: wordKey(node.words[0]!), weak: false }];
    case 'near':
      return anchorsOf(node.left);
    case 'hashtag':
      return [{ key: hashtagKey(node.tag), weak: false }];
    case 'handle':
      return [{ key: handleKey(node.handle), weak: false }];
    // a language or a channel kind is shared by many posts: an anchor of last resort
    case 'lang':
      return [{ key: langKey(node.code), weak: true }];
    case 'channel':
      return [{ key: channelKey(node.kind), weak: true }];
    case 'not':
      return null;
    case 'or': {
      const all: { key: string; weak: boolean }[] = [];
      for (const item of node.items) {
        const a = anchorsOf(item);
        if (!a) return null;
        all.push(...a);
      }
      return all;
    }
    case 'and': {
      // every item is required: the anchors of one item suffice; the fewest, strong ones first
      let best: Anchors = null;
      const rank = (a: NonNullable<Anchors>) => (a.some((x) => x.weak) ? 1000 : 0) + a.length;
      for (const item of node.items) {
        const a = anchorsOf(item);
        if (a && (!best || rank(a) < rank(best))) best = a;
      }
      return best;
    }
  }
}

export type MatchableQuery<Q> = { query: Q; tree: QueryNode };

export type QueryMatcher<Q> = {
  readonly size: number;
  /** The queries the post matches, in the order they were given. */
  matches(post: Parameters<typeof postView>[0]): Q[];
};

export function compileMatcher<Q>(queries: MatchableQuery<Q>[]): QueryMatcher<Q> {
  const compiled = queries.map((q) => ({ query: q.query, predicate: compileQuery(q.tree) }));
  const index = new Map<string, number[]>();
  const always: number[] = [];
  const prefixLengths = new Set<number>();
  for (const [i, { tree }] of queries.entries()) {
    const anchors = anchorsOf(tree);
    if (!anchors) {
      always.push(i);
      continue;
    }
    for (const { key } of anchors) {
      if (key.startsWith('p:')) prefixLengths.add(key.length - 2);
      const list = index.get(key);
      if (!list) index.set(key, [i]);
      else if (list.at(-1) !== i) list.push(i);
    }
  }
  const lengths = [...prefixLengths];

  const candidates = (view: PostView): number[] => {
    const found = new Set<number>(always);
    const add = (key: string) => {
      const list = index.get(key);
      if (list) for (const i of list) found.add(i);
    };
    for (const w of view.wordSet) {
      add(wordKey(w));
      for (const n of lengths) if (w.length >= n) add(prefixKey(w.slice(0, n)));
    }
    for (const t of view.hashtags) add(hashtagKey(t));
    for (const h of view.handles) add(handleKey(h));
    add(langKey(view.language));
    add(channelKey(view.channelKind));
    return [...found].sort((a, b) => a - b);
  };

  return {
    size: compiled.length,
    matches(post) {
      if (compiled.length === 0) return [];
      const view = postView(post);
      const out: Q[] = [];
      for (const i of candidates(view)) if (compiled[i]!.predicate(view)) out.push(compiled[i]!.query);
      return out;
    },
  };
}
