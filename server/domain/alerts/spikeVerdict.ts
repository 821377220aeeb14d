/**
 * Whether a window's volume is a spike: at least `minCount` posts and at least `sensitivity` times the
 * baseline, the mean of the same window at the same hour of the past weeks (weeks before the first post
 * count as zero, so a brand-new query needs only minCount).
 */
export type SpikeParams = { sensitivity: number; minCount: number };

export function spikeVerdict(count: number, pastWeeks: number[], p: SpikeParams) {
  const baseline = pastWeeks.length === 0 ? 0 : pastWeeks.reduce((a, b) => a + b, 0) / pastWeeks.length;
  const threshold = Math.max(p.minCount, baseline * p.sensitivity);
  return { spike: count >= threshold && count > baseline, baseline: Math.round(baseline * 10) / 10, threshold: Math.ceil(threshold) };
}

/** How many past weeks the baseline looks at. */
export const BASELINE_WEEKS = 4;
export const WEEK_MS = 7 * 86_400_000;
