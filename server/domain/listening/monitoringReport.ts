/**
 * The monitoring dashboard's figures for one query or one channel over a range: volume and negative
 * posts per bucket, the totals against the previous period of the same length, top terms and hashtags,
 * and how often agents corrected the detected sentiment; and the posts behind one bucket (drill-down).
 */
import type { Db, DbOrTx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import type { Actor } from '../audit/actor';
import { csvHeader, csvLine } from '../csv';
import {
  postsInBucket,
  sentimentOverrides,
  textsOf,
  volumeSeries,
  volumeTotals,
  type VolumeRange,
  type VolumeSubject,
} from '../../db/repositories/listening.repo';
import { DAY_MS, type Granularity } from '../reports/range';
import { zonedToInstant } from '../time/zonedTime';
import { topTerms } from './topTerms';

/** Enough posts for stable top terms; beyond that only time is spent. */
const TERM_SAMPLE = 5000;
const TOP_N = 10;

const share = (part: number, whole: number) => (whole === 0 ? null : Math.round((part / whole) * 1000) / 10);

export async function monitoringReport(db: DbOrTx, subject: VolumeSubject, range: VolumeRange) {
  const length = range.to.getTime() - range.from.getTime();
  const previousRange = { from: new Date(range.from.getTime() - length), to: range.from };
  const [series, totals, previous, texts, overrides] = await Promise.all([
    volumeSeries(db, subject, range),
    volumeTotals(db, subject, range),
    volumeTotals(db, subject, previousRange),
    textsOf(db, subject, range, TERM_SAMPLE),
    sentimentOverrides(db, subject, range),
  ]);
  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    timeZone: range.timeZone,
    granularity: range.granularity,
    buckets: series.map((b) => ({
      bucket: b.bucket,
      posts: Number(b.posts),
      negative: Number(b.negative),
      negativeShare: share(Number(b.negative), Number(b.posts)),
    })),
    total: { ...totals, negativeShare: share(totals.negative, totals.posts) },
    previous: {
      from: previousRange.from.toISOString(),
      to: previousRange.to.toISOString(),
      ...previous,
      negativeShare: share(previous.negative, previous.posts),
      changePercent: previous.posts === 0 ? null : Math.round(((totals.posts - previous.posts) / previous.posts) * 1000) / 10,
    },
    ...topTerms(texts, TOP_N),
    sentimentOverrides: overrides,
  };
}

/** The report as CSV (one line per bucket, with the period's totals and the previous period's last), audited as an export. */
export async function exportMonitoringCsv(db: Db, actor: Actor, subject: VolumeSubject, range: VolumeRange) {
  const report = await monitoringReport(db, subject, range);
  const lines = [csvHeader(['bucket', 'posts', 'negative', 'negative_share_percent'])];
  for (const b of report.buckets) lines.push(csvLine([b.bucket, b.posts, b.negative, b.negativeShare]));
  lines.push(csvLine(['total', report.total.posts, report.total.negative, report.total.negativeShare]));
  lines.push(csvLine(['previous_period', report.previous.posts, report.previous.negative, report.previous.negativeShare]));
  await appendAudit(db, {
    actor,
    action: 'report.exported',
    subjectType: 'report',
    subjectId: 'monitoring',
    channelId: 'channelId' in subject ? (subject.channelId ?? null) : null,
    after: { report: 'monitoring', ...subject, from: report.from, to: report.to, timeZone: range.timeZone, granularity: range.granularity },
  });
  return lines.join('');
}

/** At most this many posts behind one bucket are listed (the count in the chart stays exact). */
export const DRILLDOWN_LIMIT = 500;

/** The posts behind one bucket of the dashboard's series, oldest first. */
export function monitoringPosts(db: DbOrTx, subject: VolumeSubject, q: { bucket: string; granularity: Granularity; timeZone: string }) {
  const start = zonedToInstant(q.timeZone, q.bucket);
  const span = q.granularity === 'hour' ? 3_600_000 : q.granularity === 'day' ? DAY_MS : 7 * DAY_MS;
  // A wide instant window; the exact local bucket is matched in SQL (DST days are 23 or 25 hours).
  const range = { from: new Date(start.getTime() - 3 * 3_600_000), to: new Date(start.getTime() + span + 3 * 3_600_000) };
  return postsInBucket(db, subject, { ...range, ...q }, DRILLDOWN_LIMIT);
}
