/**
 * Response-time binning in TypeScript, for the tests: the product bins in SQL (report_bin() in
 * 009_report_rollup.sql), and these state the same rule so tests can build bins and check the SQL.
 */
import { BIN_COUNT, emptyBins, RESPONSE_BIN_EDGES, type Bins } from '../../server/domain/reports/histogram';

export function binOf(minutes: number): number {
  let i = 0;
  while (i + 1 < BIN_COUNT && minutes >= RESPONSE_BIN_EDGES[i + 1]!) i++;
  return i;
}

/** Width of the bin a value falls in: how far a percentile read off the bins can be from the exact one. */
export function binWidthAt(minutes: number): number {
  const i = binOf(minutes);
  const hi = RESPONSE_BIN_EDGES[i + 1];
  return hi === undefined ? Infinity : hi - RESPONSE_BIN_EDGES[i]!;
}

export function binsOf(values: readonly number[]): Bins {
  const bins = emptyBins();
  for (const v of values) {
    const i = binOf(v);
    bins.counts[i] = bins.counts[i]! + 1;
    bins.sums[i] = bins.sums[i]! + v;
  }
  return bins;
}
