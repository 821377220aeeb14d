/**
 * Response times as the rollups keep them: per bin of minutes the number of values and their sum.
 * Percentiles are read off the bins (docs/reports.md, rule 8): a bin's values are taken as evenly spaced
 * around their mean, then percentile_cont's linear interpolation between ranks applies. No imports.
 */

/** Bin i is [edge i, edge i+1) minutes; the last bin (30 days and more) is open-ended. Same edges as report_bin() in SQL. */
export const RESPONSE_BIN_EDGES = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 15, 18, 20, 25, 30, 35, 40, 45, 50, 55, 60, 70, 80, 90, 100, 110, 120, 150, 180, 210, 240, 300, 360, 420, 480, 600, 720,
  960, 1200, 1440, 1800, 2160, 2880, 4320, 5760, 7200, 10080, 20160, 43200,
] as const;
export const BIN_COUNT = RESPONSE_BIN_EDGES.length;

/** Per bin: how many values, and their sum. */
export type Bins = { counts: number[]; sums: number[] };

export const emptyBins = (): Bins => ({ counts: new Array<number>(BIN_COUNT).fill(0), sums: new Array<number>(BIN_COUNT).fill(0) });

/**
 * The j-th smallest (0-based) of the c values of bin i as the bins place them: evenly spaced around
 * their mean, as far apart as the bin allows (one value, or values all on an edge, come out exact).
 */
function valueInBin(bins: Bins, i: number, j: number): number {
  const c = bins.counts[i]!;
  const lo = RESPONSE_BIN_EDGES[i]!;
  const hi = RESPONSE_BIN_EDGES[i + 1] ?? Infinity;
  const mean = Math.min(Math.max(bins.sums[i]! / c, lo), hi);
  if (c === 1) return mean;
  const room = Math.min(mean - lo, hi - mean);
  const step = Math.min((hi - lo) / c, (2 * room) / (c - 1));
  return mean + (j - (c - 1) / 2) * step;
}

function valueAtRank(bins: Bins, k: number): number {
  let seen = 0;
  for (let i = 0; i < BIN_COUNT; i++) {
    const c = bins.counts[i]!;
    if (c > 0 && k < seen + c) return valueInBin(bins, i, k - seen);
    seen += Math.max(c, 0);
  }
  return RESPONSE_BIN_EDGES[BIN_COUNT - 1]!;
}

/** percentile_cont(p) over the binned values; null when there are none. */
export function percentileOfBins(bins: Bins, p: number): number | null {
  const n = bins.counts.reduce((s, c) => s + Math.max(c, 0), 0);
  if (n <= 0) return null;
  const h = p * (n - 1);
  const lo = Math.floor(h);
  const a = valueAtRank(bins, lo);
  if (h === lo) return a;
  return a + (h - lo) * (valueAtRank(bins, lo + 1) - a);
}

/** Folds the fine bins into coarser ones whose edges are a subset of RESPONSE_BIN_EDGES. */
export function coarsenBins(bins: Bins, edges: readonly number[]): number[] {
  const out = new Array<number>(edges.length).fill(0);
  for (let i = 0; i < BIN_COUNT; i++) {
    let j = edges.length - 1;
    while (j > 0 && RESPONSE_BIN_EDGES[i]! < edges[j]!) j--;
    out[j] = out[j]! + bins.counts[i]!;
  }
  return out;
}

export function addBins(into: Bins, from: Bins): void {
  for (let i = 0; i < BIN_COUNT; i++) {
    into.counts[i] = into.counts[i]! + from.counts[i]!;
    into.sums[i] = into.sums[i]! + from.sums[i]!;
  }
}
