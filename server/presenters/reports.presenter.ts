/** Report data → what the report pages show: one chart config (JSON for static/reports.js) and one table per chart. */
import type { SlaReport } from '../domain/reports/buildReports';
import type { SlaReportRow, Totals } from '../domain/reports/counting';

type Translate = (key: never, vars?: Record<string, string | number>) => string;

const COLORS = ['#2f5bea', '#12805c', '#b54708', '#7a5af8', '#c11574', '#0e9384', '#475467'];

export type SlaChannelView = {
  channelId: string; channelName: string; totals: Totals; previousTotals: Totals | null;
  rows: (Omit<SlaReportRow, 'channelId' | 'channelName' | 'bucketStart'> & { drillUrl: string })[];
  chart: unknown;
};

export function slaChannelViews(
  report: SlaReport, previous: SlaReport | null, goal: number, drillBase: string, labels: { goal: string; previous: string; pct: string },
): SlaChannelView[] {
  return report.channels.map((c, i) => {
    const rows = report.rows.filter((r) => r.channelId === c.channelId).map(({ channelId: _c, channelName: _n, bucketStart: _b, ...r }) => ({
      ...r, drillUrl: `${drillBase}&channelId=${encodeURIComponent(c.channelId)}&bucket=${encodeURIComponent(r.bucket)}`,
    }));
    const prevRows = previous?.rows.filter((r) => r.channelId === c.channelId) ?? [];
    const color = COLORS[i % COLORS.length]!;
    const datasets: object[] = [
      { label: labels.pct, data: rows.map((r) => r.pctWithinTarget), borderColor: color, backgroundColor: color, pointRadius: 4, pointHoverRadius: 7, spanGaps: true, tension: 0.2 },
      { label: labels.goal, data: rows.map(() => goal), borderColor: '#c0262d', borderDash: [6, 4], borderWidth: 1.5, pointRadius: 0, pointHitRadius: 0 },
    ];
    if (previous) {
      // The previous period's buckets laid over the current ones in order (1st day over 1st day …).
      datasets.push({ label: labels.previous, data: rows.map((_, j) => prevRows[j]?.pctWithinTarget ?? null), borderColor: '#98a2b3', borderDash: [2, 3], pointRadius: 2, spanGaps: true });
    }
    return {
      channelId: c.channelId, channelName: c.channelName, totals: c.totals,
      previousTotals: previous?.channels.find((p) => p.channelId === c.channelId)?.totals ?? (previous ? { inbound: 0, answered: 0, answeredWithinTarget: 0, breached: 0, open: 0, pctWithinTarget: null } : null),
      rows,
      chart: {
        type: 'line',
        data: { labels: rows.map((r) => r.bucket), datasets },
        options: { scales: { y: { min: 0, max: 100, title: { display: true, text: '%' } } }, drill: rows.map((r) => r.drillUrl) },
      },
    };
  });
}

export type { Translate };
