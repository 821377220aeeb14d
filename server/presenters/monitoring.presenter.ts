/**
 * The monitoring dashboard's figures → what its page shows: bucket labels in the user's locale, one row per
 * bucket with posts (each with its drill-down link), and the chart (JSON for static/reports.js: bars of
 * posts and negative posts over every bucket of the range, a click on a bar opens its posts).
 */
import type { Locale } from '../db/schema';
import type { monitoringReport } from '../domain/listening/monitoringReport';
import type { Granularity } from '../domain/reports/range';
import { dateTimeFormat } from '../domain/time/zonedTime';
import type { Translate } from '../i18n/translate';
import { bucketAxis } from './reports.presenter';

export type MonitoringReport = Awaited<ReturnType<typeof monitoringReport>>;

/** A bucket's label (local wall time already, so formatted as UTC): `01.12.2026`, `01.12., 09:00`, `Woche ab 30.11.2026`. */
export function bucketLabel(bucket: string, granularity: Granularity, locale: Locale, t: Translate): string {
  const intl = locale === 'de' ? 'de-DE' : 'en-GB';
  if (granularity === 'hour') {
    return dateTimeFormat(intl, { day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit', timeZone: 'UTC' }).format(new Date(`${bucket}:00Z`));
  }
  const date = dateTimeFormat(intl, { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' }).format(new Date(`${bucket}T00:00:00Z`));
  return granularity === 'week' ? t('monitoring.weekOf', { date }) : date;
}

export function monitoringView(
  report: MonitoringReport,
  range: { fromDate: string; toDate: string; granularity: Granularity },
  drillUrl: (bucket: string) => string,
  locale: Locale,
  t: Translate,
) {
  const rows = report.buckets.map((b) => ({ ...b, label: bucketLabel(b.bucket, range.granularity, locale, t), drillUrl: drillUrl(b.bucket) }));
  const byBucket = new Map(rows.map((r) => [r.bucket, r]));
  const axis = bucketAxis(
    range.fromDate,
    range.toDate,
    range.granularity,
    rows.map((r) => r.bucket),
  );
  const chart = {
    type: 'bar',
    data: {
      labels: axis.map((b) => bucketLabel(b, range.granularity, locale, t)),
      datasets: [
        { label: t('monitoring.col.posts'), data: axis.map((b) => byBucket.get(b)?.posts ?? 0), backgroundColor: '#2f5bea' },
        { label: t('monitoring.col.negative'), data: axis.map((b) => byBucket.get(b)?.negative ?? 0), backgroundColor: '#c0262d' },
      ],
    },
    options: {
      locale: locale === 'de' ? 'de-DE' : 'en-GB',
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      drill: axis.map((b) => byBucket.get(b)?.drillUrl ?? null),
    },
  };
  return { rows, chart };
}
