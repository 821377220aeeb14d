import fc from 'fast-check';
import { negativeDipVerdict } from '../../../server/domain/alerts/negativeDipVerdict';

describe('did the share of negative posts dip', () => {
  const p = { minCount: 10, risePoints: 20 };
  const usual = [
    { posts: 20, negative: 2 },
    { posts: 20, negative: 2 },
  ]; // 10 % negative
  it.each([
    ['30 % negative where 10 % is usual', { posts: 10, negative: 3 }, usual, true],
    ['29 % negative where 10 % is usual', { posts: 100, negative: 29 }, usual, false],
    ['90 % negative but only 9 posts', { posts: 9, negative: 8 }, usual, false],
    ['a new query with 20 % negative (baseline 0 %)', { posts: 10, negative: 2 }, [], true],
    ['no negative post at all, with a rise of 0 points asked for', { posts: 10, negative: 0 }, [], false],
  ])('when %s, then dip is %s', (_what, now, past, dip) => {
    expect(negativeDipVerdict(now, past, p).dip).toBe(dip);
  });

  it('when more of the same posts are negative, then a dip stays a dip (monotone)', () => {
    const counts = fc.nat(300).chain((posts) => fc.record({ posts: fc.constant(posts), negative: fc.nat(posts) }));
    fc.assert(
      fc.property(counts, fc.nat(50), fc.array(counts, { maxLength: 4 }), fc.nat(60), (now, more, past, risePoints) => {
        const q = { minCount: 5, risePoints };
        const worse = { posts: now.posts, negative: Math.min(now.posts, now.negative + more) };
        if (negativeDipVerdict(now, past, q).dip) expect(negativeDipVerdict(worse, past, q).dip).toBe(true);
      }),
    );
  });

  it('when the share is not above the baseline, then it never dips', () => {
    const counts = fc.integer({ min: 1, max: 300 }).chain((posts) => fc.record({ posts: fc.constant(posts), negative: fc.nat(posts) }));
    fc.assert(
      fc.property(counts, fc.array(counts, { minLength: 1, maxLength: 4 }), (now, past) => {
        const v = negativeDipVerdict(now, past, { minCount: 1, risePoints: 1 });
        if (v.share <= v.baselineShare) expect(v.dip).toBe(false);
      }),
    );
  });
});
