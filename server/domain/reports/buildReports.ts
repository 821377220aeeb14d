/**
 * The five manager reports as plain data (the API returns them, the pages chart them, CSV exports
 * them), and the audited export.
 */
import type { Db } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import {
  backlogAges, conversationsByStatus, listReportChannels, listReportTopics, peopleReport, readReport, responseTimeHistogram,
  responseTimePercentiles, slaAggregates, slaDrilldown, volumeByChannel, volumeHeatmap, type ReportFilter,
} from '../../db/repositories/reports.repo';
import type { Actor } from '../audit/actor';
import {
  BACKLOG_AGE_EDGES_HOURS, backlogAgeLabel, HISTOGRAM_EDGES, histogramLabel, roundMinutes, toSlaReportRow, totalsOf,
  type SlaReportRow, type Totals,
} from './counting';
import { toCsv, type CsvValue } from './csv';
import { addDays, DAY_MS, previousPeriodDates, zonedToInstant, type Granularity } from './range';

export type ReportParams = {
  from: Date; to: Date; fromDate: string; toDate: string; timeZone: string; granularity: Granularity;
  channelId?: string | undefined; topicId?: string | undefined;
};

const filterOf = (p: ReportParams, now: Date): ReportFilter => ({
  from: p.from, to: p.to, timeZone: p.timeZone, channelId: p.channelId, topicId: p.topicId, now,
});

async function channelNames(db: Db) {
  return new Map((await listReportChannels(db)).map((c) => [c.id, c.name]));
}

export type SlaReport = {
  from: string; to: string; timeZone: string; granularity: Granularity; generatedAt: string;
  rows: SlaReportRow[];
  channels: { channelId: string; channelName: string; totals: Totals }[];
  totals: Totals;
};

export async function buildSlaReport(db: Db, p: ReportParams, now: Date): Promise<SlaReport> {
  const [aggregates, names] = await Promise.all([
    readReport(db, (tx) => slaAggregates(tx, { ...filterOf(p, now), granularity: p.granularity })), channelNames(db),
  ]);
  const rows = aggregates.map((r) => toSlaReportRow(r, names));
  const byChannel = new Map<string, SlaReportRow[]>();
  for (const r of rows) byChannel.set(r.channelId, [...(byChannel.get(r.channelId) ?? []), r]);
  const channels = [...byChannel.entries()]
    .map(([channelId, rs]) => ({ channelId, channelName: names.get(channelId) ?? channelId, totals: totalsOf(rs) }))
    .sort((a, b) => a.channelName.localeCompare(b.channelName));
  return {
    from: p.from.toISOString(), to: p.to.toISOString(), timeZone: p.timeZone, granularity: p.granularity,
    generatedAt: now.toISOString(), rows, channels, totals: totalsOf(rows),
  };
}

/** The same report for the period of equal length right before (local days). */
export function previousPeriod(p: ReportParams): ReportParams {
  const { fromDate, toDate } = previousPeriodDates(p.fromDate, p.toDate);
  return { ...p, fromDate, toDate, from: zonedToInstant(p.timeZone, fromDate), to: zonedToInstant(p.timeZone, addDays(toDate, 1)) };
}

export async function buildSlaDrilldown(db: Db, q: { bucket: string; granularity: Granularity; timeZone: string; channelId?: string | undefined; topicId?: string | undefined }, now: Date) {
  const start = zonedToInstant(q.timeZone, q.bucket.length === 10 ? q.bucket : `${q.bucket}`);
  const span = q.granularity === 'hour' ? 3_600_000 : q.granularity === 'day' ? DAY_MS : 7 * DAY_MS;
  // A wide instant window; the exact local bucket is matched in SQL (DST days are 23 or 25 hours).
  const from = new Date(start.getTime() - 3 * 3_600_000);
  const to = new Date(start.getTime() + span + 3 * 3_600_000);
  return slaDrilldown(db, { from, to, timeZone: q.timeZone, channelId: q.channelId, topicId: q.topicId, now, granularity: q.granularity, bucket: q.bucket, limit: 500 });
}

type Pcts = { p50: number | null; p90: number | null; p95: number | null };
const pcts = (a: (number | null)[] | null): Pcts => ({ p50: roundMinutes(a?.[0]), p90: roundMinutes(a?.[1]), p95: roundMinutes(a?.[2]) });

export async function buildResponseTimes(db: Db, p: ReportParams, now: Date) {
  const f = filterOf(p, now);
  const [byChannel, byTopic, histogram, names, topics] = await Promise.all([
    readReport(db, (tx) => responseTimePercentiles(tx, f, 'channel')), readReport(db, (tx) => responseTimePercentiles(tx, f, 'topic')),
    readReport(db, (tx) => responseTimeHistogram(tx, f, HISTOGRAM_EDGES)), channelNames(db), listReportTopics(db),
  ]);
  const topicNames = new Map(topics.map((t) => [t.id, t.name]));
  const group = (g: (typeof byChannel)[number], name: string | null) => ({
    id: g.key, name, answered: Number(g.answered), business: pcts(g.business), wall: pcts(g.wall),
  });
  return {
    from: p.from.toISOString(), to: p.to.toISOString(), timeZone: p.timeZone,
    channels: byChannel.map((g) => group(g, names.get(g.key ?? '') ?? g.key)),
    topics: byTopic.map((g) => group(g, g.key ? topicNames.get(g.key) ?? g.key : null)),
    histogram: histogram.map((h) => ({ label: histogramLabel(h.bin), business: h.business, wall: h.wall })),
  };
}

export async function buildVolume(db: Db, p: ReportParams, now: Date) {
  const f = filterOf(p, now);
  const granularity: Granularity = p.granularity === 'hour' ? 'day' : p.granularity;
  const [cells, series, names] = await Promise.all([
    readReport(db, (tx) => volumeHeatmap(tx, f)), readReport(db, (tx) => volumeByChannel(tx, { ...f, granularity })), channelNames(db),
  ]);
  const grid = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => 0));
  for (const c of cells) grid[c.dow - 1]![c.hour] = c.n;
  const max = Math.max(0, ...cells.map((c) => c.n));
  return {
    from: p.from.toISOString(), to: p.to.toISOString(), timeZone: p.timeZone, granularity,
    heatmap: grid, max, total: cells.reduce((s, c) => s + c.n, 0),
    series: series.map((s) => ({ ...s, channelName: names.get(s.channelId) ?? s.channelId })),
  };
}

export async function buildBacklog(db: Db, p: Pick<ReportParams, 'channelId' | 'topicId'>, now: Date) {
  const [statuses, ages] = await Promise.all([conversationsByStatus(db, p), backlogAges(db, { ...p, now }, BACKLOG_AGE_EDGES_HOURS)]);
  const order = ['new', 'assigned', 'saved', 'answered', 'closed'];
  const ageRows = BACKLOG_AGE_EDGES_HOURS.map((_, i) => {
    const inBin = ages.filter((a) => a.bin === i);
    const n = (s: string) => inBin.filter((a) => a.status === s).reduce((sum, a) => sum + a.n, 0);
    return { label: backlogAgeLabel(i), new: n('new'), assigned: n('assigned'), saved: n('saved'), total: inBin.reduce((s, a) => s + a.n, 0) };
  });
  return {
    generatedAt: now.toISOString(),
    statuses: order.map((s) => ({ status: s, n: statuses.find((x) => x.status === s)?.n ?? 0 })),
    ages: ageRows,
  };
}

export async function buildPeople(db: Db, p: ReportParams, now: Date) {
  const rows = await readReport(db, (tx) => peopleReport(tx, filterOf(p, now)));
  return {
    from: p.from.toISOString(), to: p.to.toISOString(), timeZone: p.timeZone,
    people: rows.map((r) => ({ ...r, medianBusinessMinutes: roundMinutes(r.medianBusinessMinutes), medianWallMinutes: roundMinutes(r.medianWallMinutes) })),
  };
}

/** CSV rows of each report: one flat table per report. */
export async function reportCsv(db: Db, name: string, p: ReportParams, now: Date): Promise<{ csv: string; rows: number }> {
  const out = <T extends Record<string, CsvValue>>(cols: (keyof T & string)[], rows: T[]) => ({ csv: toCsv(cols, rows), rows: rows.length });
  switch (name) {
    case 'sla': {
      const r = await buildSlaReport(db, p, now);
      return out(['bucket', 'bucketStart', 'channelId', 'channelName', 'inbound', 'answered', 'answeredWithinTarget', 'pctWithinTarget', 'breached', 'open',
        'p50BusinessMinutes', 'p90BusinessMinutes', 'p50WallMinutes', 'p90WallMinutes'], r.rows);
    }
    case 'response-times': {
      const r = await buildResponseTimes(db, p, now);
      const flat = [...r.channels.map((g) => ({ ...g, by: 'channel' })), ...r.topics.map((g) => ({ ...g, by: 'topic' }))].map((g) => ({
        by: g.by, id: g.id, name: g.name, answered: g.answered, p50BusinessMinutes: g.business.p50, p90BusinessMinutes: g.business.p90,
        p95BusinessMinutes: g.business.p95, p50WallMinutes: g.wall.p50, p90WallMinutes: g.wall.p90, p95WallMinutes: g.wall.p95,
      }));
      return out(['by', 'id', 'name', 'answered', 'p50BusinessMinutes', 'p90BusinessMinutes', 'p95BusinessMinutes', 'p50WallMinutes', 'p90WallMinutes', 'p95WallMinutes'], flat);
    }
    case 'volume': {
      const r = await buildVolume(db, p, now);
      const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
      const flat = r.heatmap.flatMap((hours, d) => hours.map((n, hour) => ({ weekday: days[d]!, hour, inbound: n })));
      return out(['weekday', 'hour', 'inbound'], flat);
    }
    case 'backlog': {
      const r = await buildBacklog(db, p, now);
      return out(['age', 'new', 'assigned', 'saved', 'total'], r.ages.map((a) => ({ age: a.label, new: a.new, assigned: a.assigned, saved: a.saved, total: a.total })));
    }
    case 'people': {
      const r = await buildPeople(db, p, now);
      return out(['userId', 'name', 'role', 'repliesSent', 'answered', 'answeredWithinTarget', 'medianBusinessMinutes', 'medianWallMinutes', 'breachesResponsible'], r.people);
    }
    default:
      throw new Error(`unknown report ${name}`);
  }
}

/** Builds a report's CSV and records who exported what (the export itself is the audited action). */
export async function exportReport(db: Db, actor: Actor, name: string, p: ReportParams, now: Date) {
  const result = await reportCsv(db, name, p, now);
  await appendAudit(db, {
    actor, action: 'report.exported', subjectType: 'report', subjectId: name, channelId: p.channelId ?? null,
    after: { report: name, from: p.from.toISOString(), to: p.to.toISOString(), timeZone: p.timeZone, granularity: p.granularity,
      channelId: p.channelId ?? null, topicId: p.topicId ?? null, rows: result.rows },
  });
  return result;
}
