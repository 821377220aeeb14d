import fc from 'fast-check';
import { compileQuery, postView } from '../../../server/domain/listening/matchPost';
import { MAX_QUERY_LENGTH, parseQuery, printQuery, QuerySyntaxError, type QueryNode } from '../../../server/domain/listening/queryLanguage';
import { compileMatcher } from '../../../server/domain/listening/queryMatcher';

const errorOf = (src: string) => {
  try {
    parseQuery(src);
  } catch (e) {
    if (e instanceof QuerySyntaxError) return { reason: e.reason, position: e.position };
    throw e;
  }
  throw new Error(`parsed: ${src}`);
};

const post = (text: string, extra: Partial<{ authorHandle: string; language: string; channelKind: string }> = {}) =>
  postView({ text, authorHandle: extra.authorHandle ?? null, language: extra.language ?? null, channelKind: extra.channelKind ?? 'x' });
const matches = (query: string, text: string, extra?: Parameters<typeof post>[1]) => compileQuery(parseQuery(query))(post(text, extra));

describe('parsing listening queries', () => {
  it('when operators are mixed, then NEAR binds tighter than NOT, NOT than AND, AND than OR', () => {
    expect(printQuery(parseQuery('a OR b AND NOT c'))).toBe('a OR b AND NOT c');
    expect(parseQuery('a OR b AND NOT c')).toEqual({
      type: 'or',
      items: [
        { type: 'word', word: 'a', prefix: false },
        {
          type: 'and',
          items: [
            { type: 'word', word: 'b', prefix: false },
            { type: 'not', item: { type: 'word', word: 'c', prefix: false } },
          ],
        },
      ],
    });
    expect(parseQuery('NOT x NEAR/2 y')).toEqual({
      type: 'not',
      item: { type: 'near', distance: 2, left: { type: 'word', word: 'x', prefix: false }, right: { type: 'word', word: 'y', prefix: false } },
    });
  });

  it('when words stand side by side, then they are joined by AND; brackets override precedence', () => {
    expect(printQuery(parseQuery('(Bahn OR zug) verspätung*'))).toBe('(bahn OR zug) AND verspätung*');
    expect(printQuery(parseQuery('#Streik @DB_Bahn lang:DE channel:whatsapp "Kein  Zug!"'))).toBe(
      '#streik AND @db_bahn AND lang:de AND channel:whatsapp AND "kein zug"',
    );
  });

  it.each([
    ['', 'empty', 0],
    ['   ', 'empty', 0],
    ['a AND', 'unexpected_end', 5],
    ['(a OR b', 'unclosed_bracket', 0],
    ['a OR b)', 'unmatched_bracket', 6],
    ['"kein zug', 'unclosed_quote', 0],
    ['a "" b', 'empty_phrase', 2],
    ['a OR OR b', 'unexpected_token', 5],
    ['a* OR b*', 'wildcard_too_short', 0],
    ['foo NEAR/0 bar', 'near_distance', 9],
    ['foo NEAR/21 bar', 'near_distance', 9],
    ['foo NEAR/ bar', 'near_distance', 9],
    ['#streik NEAR/3 bar', 'near_operand', 8],
    ['foo NEAR/3 (bar)', 'near_operand', 11],
    ['foo & bar', 'unexpected_character', 4],
    ['a # b', 'empty_hashtag', 3],
    ['a @ b', 'empty_handle', 3],
    ['a site:x.com', 'unknown_field', 2],
    ['lang:deutsch', 'bad_field_value', 5],
    ['x'.repeat(MAX_QUERY_LENGTH + 1), 'too_long', MAX_QUERY_LENGTH],
    ['('.repeat(40) + 'a' + ')'.repeat(40), 'too_deep', 30],
  ])('when the query is %j, then it is refused with %s at %i', (src, reason, position) => {
    expect(errorOf(src)).toEqual({ reason, position });
  });
});

describe('evaluating a query over a post', () => {
  it.each([
    ['bahn AND NOT streik', 'Die Bahn ist wieder pünktlich', true],
    ['bahn AND NOT streik', 'Die Bahn streik heute', false],
    ['verspät*', 'Zug 20 Minuten VERSPÄTET', true],
    ['"zug fällt aus"', 'Mein Zug fällt aus, schon wieder', true],
    ['"zug fällt aus"', 'Der Zug aus Köln fällt', false],
    ['#streik', 'Heute #Streik bei der Bahn', true],
    ['#streik', 'Heute Streik bei der Bahn', false],
    ['@dbbahn', 'Hallo @DBBahn, wo bleibt mein Zug?', true],
    ['zug NEAR/2 spät', 'Zug ist heute spät', true],
    ['zug NEAR/1 spät', 'Zug ist heute spät', false],
    ['spät NEAR/2 zug', 'Zug ist heute spät', true],
    ['"kein wlan" NEAR/3 ice', 'Im ICE gab es wieder kein WLAN', true],
  ])('when %j meets %j, then the match is %s', (q, text, expected) => {
    expect(matches(q, text)).toBe(expected);
  });

  it('when the query names a language, a channel or the author, then those of the post decide', () => {
    expect(matches('lang:de AND channel:whatsapp', 'hallo', { language: 'de', channelKind: 'whatsapp' })).toBe(true);
    expect(matches('lang:de AND channel:whatsapp', 'hallo', { language: 'en', channelKind: 'whatsapp' })).toBe(false);
    expect(matches('@kundin_1', 'hallo', { authorHandle: '@Kundin_1' })).toBe(true);
  });
});

// ---- properties over generated syntax trees (already in the parser's flat, lower-case shape)
const word = fc.stringMatching(/^[a-zäöüß][a-z0-9äöüß_]{1,7}$/).filter((w) => !['and', 'or', 'not', 'near', 'lang', 'channel'].includes(w));
const wordNode = fc.record({ type: fc.constant('word' as const), word, prefix: fc.boolean() });
const phraseNode = fc.record({ type: fc.constant('phrase' as const), words: fc.array(word, { minLength: 1, maxLength: 3 }) });
const leaf: fc.Arbitrary<QueryNode> = fc.oneof(
  wordNode,
  phraseNode,
  fc.record({ type: fc.constant('hashtag' as const), tag: word }),
  fc.record({ type: fc.constant('handle' as const), handle: word }),
  fc.record({ type: fc.constant('lang' as const), code: fc.constantFrom('de', 'en', 'fr') }),
  fc.record({ type: fc.constant('channel' as const), kind: fc.constantFrom('x', 'whatsapp', 'email') }),
  fc.record({
    type: fc.constant('near' as const),
    left: fc.oneof(wordNode, phraseNode),
    right: fc.oneof(wordNode, phraseNode),
    distance: fc.integer({ min: 1, max: 20 }),
  }),
);
// One depth counter for every branch, so trees stay a few levels deep; a tree whose text would pass the parser's
// length limit is not a query anyone can save, so it is left out (the limit has its own test).
const depth = { depthSize: 'small', maxDepth: 4, depthIdentifier: 'query', withCrossShrink: true } as const;
const tree = fc
  .letrec<{ node: QueryNode; or: QueryNode; and: QueryNode; not: QueryNode }>((tie) => ({
    node: fc.oneof(depth, leaf, tie('or'), tie('and'), tie('not')),
    or: fc.record({ type: fc.constant('or' as const), items: fc.array(fc.oneof(depth, leaf, tie('and'), tie('not')), { minLength: 2, maxLength: 3 }) }),
    and: fc.record({ type: fc.constant('and' as const), items: fc.array(fc.oneof(depth, leaf, tie('or'), tie('not')), { minLength: 2, maxLength: 3 }) }),
    not: fc.record({ type: fc.constant('not' as const), item: fc.oneof(depth, leaf, tie('or'), tie('and'), tie('not')) }),
  }))
  .node.filter((q) => printQuery(q).length <= MAX_QUERY_LENGTH);

describe('query properties', () => {
  it('when any query is printed, then parsing the text gives the same tree back (round trip)', () => {
    fc.assert(fc.property(tree, (q) => expect(parseQuery(printQuery(q))).toEqual(q)));
  });

  it('when OR and AND are written without brackets, then a AND b OR c means (a AND b) OR c, and a OR b AND c means a OR (b AND c)', () => {
    fc.assert(
      fc.property(leaf, leaf, leaf, (a, b, c) => {
        const [pa, pb, pc] = [a, b, c].map(printQuery);
        expect(parseQuery(`${pa} AND ${pb} OR ${pc}`)).toEqual(parseQuery(`(${pa} AND ${pb}) OR ${pc}`));
        expect(parseQuery(`${pa} OR ${pb} AND ${pc}`)).toEqual(parseQuery(`${pa} OR (${pb} AND ${pc})`));
        expect(parseQuery(`NOT ${pa} AND ${pb}`)).toEqual(parseQuery(`(NOT ${pa}) AND ${pb}`));
      }),
    );
  });

  it('when a valid query gets a stray character inserted, then the error points at that character', () => {
    fc.assert(
      fc.property(tree, fc.nat(), fc.constantFrom('&', '!', '=', '{', '~'), (q, at, bad) => {
        const text = printQuery(q);
        const i = at % (text.length + 1);
        const broken = text.slice(0, i) + bad + text.slice(i);
        const inQuote = (text.slice(0, i).match(/"/g) ?? []).length % 2 === 1;
        if (inQuote) return; // inside a phrase a stray character is punctuation, not an error
        const e = errorOf(broken);
        expect(broken[e.position]).toBe(bad);
      }),
    );
  });

  it('when a query is evaluated, then NOT q is the complement of q and OR/AND agree with their parts', () => {
    const text = fc
      .array(
        fc.oneof(
          word,
          word.map((w) => `#${w}`),
        ),
        { maxLength: 12 },
      )
      .map((ws) => ws.join(' '));
    fc.assert(
      fc.property(tree, tree, text, (a, b, t) => {
        const p = post(t);
        const [fa, fb] = [compileQuery(a)(p), compileQuery(b)(p)];
        expect(compileQuery({ type: 'not', item: a })(p)).toBe(!fa);
        expect(compileQuery({ type: 'or', items: [a, b] })(p)).toBe(fa || fb);
        expect(compileQuery({ type: 'and', items: [a, b] })(p)).toBe(fa && fb);
      }),
    );
  });
});

describe('one matcher for all active queries', () => {
  /** The terms of a query (words, prefixes, tags, handles), so that generated posts hit and miss them. */
  const termsOf = (n: QueryNode): string[] => {
    switch (n.type) {
      case 'or':
      case 'and':
        return n.items.flatMap(termsOf);
      case 'not':
        return termsOf(n.item);
      case 'near':
        return [...termsOf(n.left), ...termsOf(n.right)];
      case 'word':
        return n.prefix ? [n.word, `${n.word}x`] : [n.word];
      case 'phrase':
        return [...n.words, n.words.join(' ')];
      case 'hashtag':
        return [`#${n.tag}`, n.tag];
      case 'handle':
        return [`@${n.handle}`];
      default:
        return [];
    }
  };

  it('when posts are matched against many queries at once, then the matcher picks exactly the queries whose own predicate holds, in their order', () => {
    const scenario = fc.array(tree, { minLength: 1, maxLength: 12 }).chain((queries) => {
      const terms = [...new Set(queries.flatMap(termsOf)), 'kaffee', 'zug'];
      const text = fc.array(fc.constantFrom(...terms), { maxLength: 10 }).map((ws) => ws.join(' '));
      const extra = fc.record({
        authorHandle: fc.option(fc.constantFrom(...terms.filter((t) => t.startsWith('@')), '@jemand'), { nil: undefined }),
        language: fc.option(fc.constantFrom('de', 'en', 'fr'), { nil: undefined }),
        channelKind: fc.constantFrom('x', 'whatsapp', 'email'),
      });
      return fc.tuple(fc.constant(queries), fc.array(fc.tuple(text, extra), { minLength: 1, maxLength: 5 }));
    });
    fc.assert(
      fc.property(scenario, ([queries, posts]) => {
        const matcher = compileMatcher(queries.map((tree, i) => ({ query: i, tree })));
        for (const [text, extra] of posts) {
          const each = queries.flatMap((q, i) => (compileQuery(q)(post(text, extra)) ? [i] : []));
          expect(matcher.matches({ text, authorHandle: extra.authorHandle ?? null, language: extra.language ?? null, channelKind: extra.channelKind })).toEqual(
            each,
          );
        }
      }),
      { numRuns: 300 },
    );
  });

  it('when queries need a word, a prefix, a hashtag, a language or nothing, then each post gets exactly the ones it satisfies', () => {
    const matcher = compileMatcher(
      ['bestellung AND NOT storniert', '#bahn OR zug*', 'NOT spam', 'lang:de AND rechnung'].map((q) => ({ query: q, tree: parseQuery(q) })),
    );
    expect(matcher.matches({ text: 'Meine Bestellung ist nicht da', authorHandle: null, language: 'de', channelKind: 'x' })).toEqual([
      'bestellung AND NOT storniert',
      'NOT spam',
    ]);
    expect(matcher.matches({ text: 'Zugausfall, schon wieder #bahn', authorHandle: null, language: 'de', channelKind: 'x' })).toEqual([
      '#bahn OR zug*',
      'NOT spam',
    ]);
    expect(matcher.matches({ text: 'Rechnung falsch', authorHandle: null, language: 'en', channelKind: 'x' })).toEqual(['NOT spam']);
    expect(matcher.matches({ text: 'spam', authorHandle: null, language: 'de', channelKind: 'x' })).toEqual([]);
  });
});
