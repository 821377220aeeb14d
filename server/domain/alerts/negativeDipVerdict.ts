/**
 * Whether the mood of a window dipped: at least `minCount` posts, and a share of negative posts at least
 * `risePoints` percentage points above the baseline share — the negative posts of the same window at the
 * same hour of the past weeks over all their posts (no posts then: a baseline of 0 %).
 */
export type DipParams = { minCount: number; risePoints: number };
export type WindowCounts = { posts: number; negative: number };

const pct = (part: number, whole: number) => (whole === 0 ? 0 : (part / whole) * 100);
const oneDecimal = (n: number) => Math.round(n * 10) / 10;

export function negativeDipVerdict(now: WindowCounts, pastWeeks: WindowCounts[], p: DipParams) {
  const share = pct(now.negative, now.posts);
  const past = pastWeeks.reduce((s, w) => ({ posts: s.posts + w.posts, negative: s.negative + w.negative }), { posts: 0, negative: 0 });
  const baselineShare = pct(past.negative, past.posts);
  return {
    dip: now.posts >= p.minCount && now.negative > 0 && share >= baselineShare + p.risePoints,
    share: oneDecimal(share),
    baselineShare: oneDecimal(baselineShare),
  };
}
