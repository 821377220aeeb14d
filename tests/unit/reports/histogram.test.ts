import fc from 'fast-check';
import { BIN_COUNT, coarsenBins, emptyBins, percentileOfBins, RESPONSE_BIN_EDGES } from '../../../server/domain/reports/histogram';
import { binOf, binsOf, binWidthAt } from '../../support/bins';
import { HISTOGRAM_EDGES } from '../../../server/domain/reports/counting';
import { parseBinList, ROLLUP_BIN_COUNT } from '../../../server/db/repositories/reportRollup.repo';

/** percentile_cont over the exact values, as PostgreSQL computes it. */
function exactPercentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const h = p * (s.length - 1);
  const lo = Math.floor(h);
  return s[lo]! + (h - lo) * ((s[Math.ceil(h)] ?? s[lo]!) - s[lo]!);
}

describe('response-time bins', () => {
  it('when a value sits on an edge, then it belongs to the bin that starts there', () => {
    expect(binOf(0)).toBe(0);
    expect(binOf(0.9)).toBe(0);
    expect(binOf(60)).toBe(RESPONSE_BIN_EDGES.indexOf(60));
    expect(binOf(59.99)).toBe(RESPONSE_BIN_EDGES.indexOf(55));
    expect(binOf(1e9)).toBe(BIN_COUNT - 1);
  });

  it('when there are no values, then there is no percentile', () => {
    expect(percentileOfBins(emptyBins(), 0.5)).toBeNull();
  });

  it('when a bin holds one value, or its values sit on its lower edge, then the percentile is exact', () => {
    expect(percentileOfBins(binsOf([13.7]), 0.5)).toBeCloseTo(13.7, 9);
    expect(percentileOfBins(binsOf([30, 30, 30, 30]), 0.9)).toBeCloseTo(30, 9);
    expect(percentileOfBins(binsOf([2.5, 60, 1000]), 0.5)).toBeCloseTo(60, 9);
  });

  it('when three values share the 12–15 minute bin, then they are spaced evenly around their mean within the bin', () => {
    const bins = binsOf([12.1, 12.5, 14.9]); // mean 13.1667: room 1.1667 below, so the step is 1 (= width / 3)
    expect(percentileOfBins(bins, 0)).toBeCloseTo(12.1667, 3);
    expect(percentileOfBins(bins, 0.5)).toBeCloseTo(13.1667, 3);
    expect(percentileOfBins(bins, 1)).toBeCloseTo(14.1667, 3);
  });

  it('when values of 30 days and more are binned, then their mean still comes through', () => {
    expect(percentileOfBins(binsOf([50_000, 60_000]), 0.5)).toBeCloseTo(55_000, 6);
  });

  it('for any values under 30 days, the binned percentile is within one bin width of the exact one', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 43_199, noNaN: true }), { minLength: 1, maxLength: 300 }), fc.constantFrom(0.5, 0.9, 0.95), (values, p) => {
        const exact = exactPercentile(values, p)!;
        const approx = percentileOfBins(binsOf(values), p)!;
        const sorted = [...values].sort((a, b) => a - b);
        const h = p * (sorted.length - 1);
        // the two ranks percentile_cont interpolates between: the estimate stays within their bins
        const tolerance = Math.max(binWidthAt(sorted[Math.floor(h)]!), binWidthAt(sorted[Math.ceil(h)]!));
        expect(Math.abs(approx - exact)).toBeLessThanOrEqual(tolerance + 1e-9);
      }),
      { numRuns: 300, seed: 20261201 },
    );
  });

  it('when fine bins are folded into the histogram of the response-time page, then no post is lost and each lands in its coarse bin', () => {
    const values = [0, 4.9, 5, 14, 29, 59, 61, 200, 479, 480, 1439, 1440, 90_000];
    const coarse = coarsenBins(binsOf(values), HISTOGRAM_EDGES);
    expect(coarse).toEqual([2, 2, 1, 1, 1, 1, 1, 2, 2]);
    expect(HISTOGRAM_EDGES.every((e) => (RESPONSE_BIN_EDGES as readonly number[]).includes(e))).toBe(true);
  });
});

describe('the rollup tables', () => {
  it('when the domain names its response-time bins, then the rollup tables have a column pair for each', () => {
    expect(ROLLUP_BIN_COUNT).toBe(BIN_COUNT);
  });
});

describe("the rollups' bin lists", () => {
  it('when bins are written as the report statement writes them ("bin:count:sum" of the non-empty ones), then they read back as they were', () => {
    const entry = fc.record({ count: fc.integer({ min: -1000, max: 1_000_000 }).filter((n) => n !== 0), thousandths: fc.integer({ min: -1e12, max: 1e12 }) });
    fc.assert(
      fc.property(fc.array(fc.option(entry, { nil: null }), { minLength: ROLLUP_BIN_COUNT, maxLength: ROLLUP_BIN_COUNT }), (cells) => {
        const list = cells.flatMap((c, i) => (c ? [`${i}:${c.count}:${c.thousandths}`] : [])).join(',');
        const bins = parseBinList(list);
        expect(bins.counts).toEqual(cells.map((c) => c?.count ?? 0));
        expect(bins.sums).toEqual(cells.map((c) => (c ? c.thousandths / 1000 : 0)));
      }),
    );
  });

  it('when a measure has no bins (an empty list, or none at all), then every bin is empty', () => {
    for (const list of ['', null, undefined]) expect(parseBinList(list)).toEqual(emptyBins());
  });
});
