/** Report data → what the report pages show: one chart config (JSON for static/reports.js) and one table per chart. */
import type { SlaReport } from '../domain/reports/buildReports';
import type { SlaReportRow, Totals } from '../domain/reports/counting';
import { addDays, daysBetween, type Granularity } from '../domain/reports/range';

const COLORS = ['#2f5bea', '#12805c', '#b54708', '#7a5af8', '#c11574', '#0e9384', '#475467'];

export type SlaChannelView = {
  channelId: string;
  channelName: string;
  totals: Totals;
  previousTotals: Totals | null;
  rows: (Omit<SlaReportRow, 'channelId' | 'channelName' | 'bucketStart'> & { drillUrl: string })[];
  chart: unknown;
};

/**
 * Every bucket label of the range, so the x axis has no holes where a day had no posts (hour buckets
 * only for ranges of up to two weeks; longer hour ranges show the buckets that have posts).
 */
export function bucketAxis(fromDate: string, toDate: string, granularity: Granularity, present: string[]): string[] {
  const days = daysBetween(fromDate, toDate) + 1;
  if (granularity === 'hour' && days > 14) return [...new Set(present)].sort();
  const out: string[] = [];
  if (granularity === 'week') {
    const dow = (new Date(`${fromDate}T00:00:00Z`).getUTCDay() + 6) % 7;
    for (let d = addDays(fromDate, -dow); d <= toDate; d = addDays(d, 7)) out.push(d);
  } else {
    for (let i = 0; i < days; i++) {
      const d = addDays(fromDate, i);
      if (granularity === 'day') out.push(d);
      else for (let h = 0; h < 24; h++) out.push(`${d}T${String(h).padStart(2, '0')}:00`);
    }
  }
  return out;
}

export function slaChannelViews(
  report: SlaReport,
  previous: SlaReport | null,
  goal: number,
  drillBase: string,
  labels: { goal: string; previous: string; pct: string },
  range: { fromDate: string; toDate: string; previous?: { fromDate: string; toDate: string } | null },
): SlaChannelView[] {
  const axis = bucketAxis(
    range.fromDate,
    range.toDate,
    report.granularity,
    report.rows.map((r) => r.bucket),
  );
  return report.channels.map((c, i) => {
    const rows = report.rows
      .filter((r) => r.channelId === c.channelId)
      .map(({ channelId: _c, channelName: _n, bucketStart: _b, ...r }) => ({
        ...r,
        drillUrl: `${drillBase}&channelId=${encodeURIComponent(c.channelId)}&bucket=${encodeURIComponent(r.bucket)}`,
      }));
    const byBucket = new Map(rows.map((r) => [r.bucket, r]));
    const color = COLORS[i % COLORS.length]!;
    const datasets: object[] = [
      {
        label: labels.pct,
        data: axis.map((b) => byBucket.get(b)?.pctWithinTarget ?? null),
        borderColor: color,
        backgroundColor: color,
        pointRadius: 4,
        pointHoverRadius: 7,
        spanGaps: true,
      },
      { label: labels.goal, data: axis.map(() => goal), borderColor: '#c0262d', borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0, pointHitRadius: 0 },
    ];
    if (previous) {
      // The previous period laid over the current one bucket by bucket (1st day over 1st day …).
      const prevByBucket = new Map(previous.rows.filter((r) => r.channelId === c.channelId).map((r) => [r.bucket, r]));
      const prevAxis = range.previous
        ? bucketAxis(
            range.previous.fromDate,
            range.previous.toDate,
            previous.granularity,
            previous.rows.map((r) => r.bucket),
          )
        : [];
      datasets.push({
        label: labels.previous,
        data: axis.map((_, j) => prevByBucket.get(prevAxis[j] ?? '')?.pctWithinTarget ?? null),
        borderColor: '#98a2b3',
        borderDash: [2, 3],
        pointRadius: 2,
        spanGaps: true,
      });
    }
    return {
      channelId: c.channelId,
      channelName: c.channelName,
      totals: c.totals,
      previousTotals:
        previous?.channels.find((p) => p.channelId === c.channelId)?.totals ??
        (previous ? { inbound: 0, answered: 0, answeredWithinTarget: 0, breached: 0, open: 0, pctWithinTarget: null } : null),
      rows,
      chart: {
        type: 'line',
        data: { labels: axis, datasets },
        options: { scales: { y: { min: 0, max: 100, title: { display: true, text: '%' } } }, drill: axis.map((b) => byBucket.get(b)?.drillUrl ?? null) },
      },
    };
  });
}
