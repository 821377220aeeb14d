/**
 * The five manager reports as plain data (the API returns them, the pages chart them, CSV exports
 * them), and the audited export.
 */
import type { Db } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import { agentFigures, postFigures, reportKeys, type Figures, type RollupFilter } from '../../db/repositories/reportRollup.repo';
import { listTeamMemberships } from '../../db/repositories/teams.repo';
import {
  backlogAges,
  conversationsByStatus,
  listReportChannels,
  listReportTopics,
  listReportUsers,
  readReport,
  slaDrilldown,
} from '../../db/repositories/reports.repo';
import type { Actor } from '../audit/actor';
import {
  BACKLOG_AGE_EDGES_HOURS,
  backlogAgeLabel,
  HISTOGRAM_EDGES,
  histogramLabel,
  roundMinutes,
  slaCounts,
  toSlaReportRow,
  totalsOf,
  type SlaReportRow,
  type Totals,
} from './counting';
import { addBins, coarsenBins, emptyBins, percentileOfBins, type Bins } from './histogram';
import { agentPlan, postPlan } from './rollupPlan';
import { toCsv, type CsvValue } from '../csv';
import { addDays, DAY_MS, previousPeriodDates, zonedToInstant, type Granularity } from './range';

export type ReportParams = {
  from: Date;
  to: Date;
  fromDate: string;
  toDate: string;
  timeZone: string;
  granularity: Granularity;
  channelId?: string | undefined;
  topicId?: string | undefined;
  /** the people report only: that team's members (and its team row) */
  teamId?: string | undefined;
};

const filterOf = (p: ReportParams, now: Date): RollupFilter => ({ channelId: p.channelId, topicId: p.topicId, now });
const spanOf = (p: ReportParams) => ({ from: p.from, to: p.to });

/** Posts of the range grouped by `keys`, from the rollups where they apply (rollupPlan.ts), live elsewhere. */
function posts(db: Db, p: ReportParams, now: Date, keys: Parameters<typeof postFigures>[4], opts = { hourly: false }) {
  return readReport(db, (tx) => postFigures(tx, spanOf(p), postPlan(spanOf(p), p.timeZone, opts), filterOf(p, now), keys));
}

async function channelNames(db: Db) {
  return new Map((await listReportChannels(db)).map((c) => [c.id, c.name]));
}

export type SlaReport = {
  from: string;
  to: string;
  timeZone: string;
  granularity: Granularity;
  generatedAt: string;
  rows: SlaReportRow[];
  channels: { channelId: string; channelName: string; totals: Totals }[];
  totals: Totals;
};

export async function buildSlaReport(db: Db, p: ReportParams, now: Date): Promise<SlaReport> {
  const [figures, names] = await Promise.all([
    posts(db, p, now, reportKeys.bucketAndChannel(p.granularity, p.timeZone), { hourly: p.granularity === 'hour' }),
    channelNames(db),
  ]);
  const rows = figures
    .map((f) => ({ f, counts: slaCounts(f) }))
    .filter(({ counts }) => counts.inbound > 0)
    .map(({ f }) => toSlaReportRow(String(f.key[0]), f.key[1] as Date, String(f.key[2]), f, names));
  const byChannel = new Map<string, SlaReportRow[]>();
  for (const r of rows) byChannel.set(r.channelId, [...(byChannel.get(r.channelId) ?? []), r]);
  const channels = [...byChannel.entries()]
    .map(([channelId, rs]) => ({ channelId, channelName: names.get(channelId) ?? channelId, totals: totalsOf(rs) }))
    .sort((a, b) => a.channelName.localeCompare(b.channelName));
  return {
    from: p.from.toISOString(),
    to: p.to.toISOString(),
    timeZone: p.timeZone,
    granularity: p.granularity,
    generatedAt: now.toISOString(),
    rows,
    channels,
    totals: totalsOf(rows),
  };
}

/** The same report for the period of equal length right before (local days). */
export function previousPeriod(p: ReportParams): ReportParams {
  const { fromDate, toDate } = previousPeriodDates(p.fromDate, p.toDate);
  return { ...p, fromDate, toDate, from: zonedToInstant(p.timeZone, fromDate), to: zonedToInstant(p.timeZone, addDays(toDate, 1)) };
}

export async function buildSlaDrilldown(
  db: Db,
  q: { bucket: string; granularity: Granularity; timeZone: string; channelId?: string | undefined; topicId?: string | undefined },
  now: Date,
) {
  const start = zonedToInstant(q.timeZone, q.bucket.length === 10 ? q.bucket : `${q.bucket}`);
  const span = q.granularity === 'hour' ? 3_600_000 : q.granularity === 'day' ? DAY_MS : 7 * DAY_MS;
  // A wide instant window; the exact local bucket is matched in SQL (DST days are 23 or 25 hours).
  const from = new Date(start.getTime() - 3 * 3_600_000);
  const to = new Date(start.getTime() + span + 3 * 3_600_000);
  return slaDrilldown(db, {
    from,
    to,
    timeZone: q.timeZone,
    channelId: q.channelId,
    topicId: q.topicId,
    now,
    granularity: q.granularity,
    bucket: q.bucket,
    limit: 500,
  });
}

type Binned = { within: number; late: number; business: Bins; wall: Bins };
const pcts = (bins: Bins) => ({
  p50: roundMinutes(percentileOfBins(bins, 0.5)),
  p90: roundMinutes(percentileOfBins(bins, 0.9)),
  p95: roundMinutes(percentileOfBins(bins, 0.95)),
});
const answeredOf = (f: Binned) => f.within + f.late;

export async function buildResponseTimes(db: Db, p: ReportParams, now: Date) {
  const [byChannel, byTopic, names, topics] = await Promise.all([
    posts(db, p, now, reportKeys.channel()),
    posts(db, p, now, reportKeys.topic()),
    channelNames(db),
    listReportTopics(db),
  ]);
  const topicNames = new Map(topics.map((t) => [t.id, t.name]));
  const group = (g: (typeof byChannel)[number], name: string | null) => ({
    id: g.key[0] as string | null,
    name,
    answered: answeredOf(g),
    business: pcts(g.business),
    wall: pcts(g.wall),
  });
  const business = emptyBins();
  const wall = emptyBins();
  for (const g of byChannel) {
    addBins(business, g.business);
    addBins(wall, g.wall);
  }
  const [coarseBusiness, coarseWall] = [coarsenBins(business, HISTOGRAM_EDGES), coarsenBins(wall, HISTOGRAM_EDGES)];
  const key = (g: (typeof byChannel)[number]) => g.key[0] as string | null;
  return {
    from: p.from.toISOString(),
    to: p.to.toISOString(),
    timeZone: p.timeZone,
    channels: byChannel.filter((g) => answeredOf(g) > 0).map((g) => group(g, names.get(key(g) ?? '') ?? key(g))),
    topics: byTopic.filter((g) => answeredOf(g) > 0).map((g) => group(g, key(g) ? (topicNames.get(key(g)!) ?? key(g)) : null)),
    histogram: HISTOGRAM_EDGES.map((_, i) => ({ label: histogramLabel(i), business: coarseBusiness[i]!, wall: coarseWall[i]! })),
  };
}

export async function buildVolume(db: Db, p: ReportParams, now: Date) {
  const granularity: Granularity = p.granularity === 'hour' ? 'day' : p.granularity;
  const [cells, series, names] = await Promise.all([
    posts(db, p, now, reportKeys.weekdayAndHour(p.timeZone), { hourly: true }),
    posts(db, { ...p, granularity }, now, reportKeys.bucketAndChannel(granularity, p.timeZone)),
    channelNames(db),
  ]);
  const grid = Array.from({ length: 7 }, () => Array.from({ length: 24 }, () => 0));
  for (const c of cells) grid[Number(c.key[0]) - 1]![Number(c.key[1])] = c.inbound;
  const max = Math.max(0, ...cells.map((c) => c.inbound));
  return {
    from: p.from.toISOString(),
    to: p.to.toISOString(),
    timeZone: p.timeZone,
    granularity,
    heatmap: grid,
    max,
    total: cells.reduce((s, c) => s + c.inbound, 0),
    series: series
      .filter((s) => s.inbound > 0)
      .map((s) => {
        const channelId = String(s.key[2]);
        return { bucket: String(s.key[0]), channelId, n: s.inbound, channelName: names.get(channelId) ?? channelId };
      }),
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

type AgentFigures = Pick<Figures, 'within' | 'late' | 'breached' | 'replies' | 'business' | 'wall'>;

/** The people page's figures of one agent, or of a team (its members' figures added up, bins merged). */
function peopleFigures(f: AgentFigures | undefined) {
  return {
    repliesSent: f?.replies ?? 0,
    answered: f ? answeredOf(f) : 0,
    answeredWithinTarget: f?.within ?? 0,
    medianBusinessMinutes: f ? roundMinutes(percentileOfBins(f.business, 0.5)) : null,
    medianWallMinutes: f ? roundMinutes(percentileOfBins(f.wall, 0.5)) : null,
    breachesResponsible: f?.breached ?? 0,
  };
}

function addUp(list: AgentFigures[]): AgentFigures {
  const sum: AgentFigures = { within: 0, late: 0, breached: 0, replies: 0, business: emptyBins(), wall: emptyBins() };
  for (const f of list) {
    sum.within += f.within;
    sum.late += f.late;
    sum.breached += f.breached;
    sum.replies += f.replies;
    addBins(sum.business, f.business);
    addBins(sum.wall, f.wall);
  }
  return sum;
}

/**
 * Per agent: replies sent, posts of the range their reply answered (within target), the median response
 * time of those, and breaches they were responsible for; per team the same over its members. Agents and
 * managers are listed even when idle; with a team filter, only that team's members.
 */
export async function buildPeople(db: Db, p: ReportParams, now: Date) {
  const [figures, users, memberships] = await Promise.all([
    readReport(db, (tx) => agentFigures(tx, agentPlan(spanOf(p)), filterOf(p, now), reportKeys.user())),
    listReportUsers(db),
    listTeamMemberships(db),
  ]);
  const byUser = new Map(figures.map((f) => [String(f.key[0]), f]));
  const inTeam = (teamId: string) => new Set(memberships.filter((m) => m.teamId === teamId).map((m) => m.userId));
  const members = p.teamId ? inTeam(p.teamId) : null;
  const people = users
    .filter((u) => (members ? members.has(u.id) : byUser.has(u.id) || u.role === 'agent' || u.role === 'manager'))
    .map((u) => ({ userId: u.id, name: u.name, role: u.role, ...peopleFigures(byUser.get(u.id)) }));
  const teams = [...new Map(memberships.map((m) => [m.teamId, m.teamName])).entries()]
    .filter(([teamId]) => !p.teamId || teamId === p.teamId)
    .map(([teamId, name]) => {
      const ids = [...inTeam(teamId)];
      return { teamId, name, members: ids.length, ...peopleFigures(addUp(ids.flatMap((id) => byUser.get(id) ?? []))) };
    });
  return { from: p.from.toISOString(), to: p.to.toISOString(), timeZone: p.timeZone, people, teams };
}

/** CSV rows of each report: one flat table per report. */
export async function reportCsv(db: Db, name: string, p: ReportParams, now: Date): Promise<{ csv: string; rows: number }> {
  const out = <T extends Record<string, CsvValue>>(cols: (keyof T & string)[], rows: T[]) => ({ csv: toCsv(cols, rows), rows: rows.length });
  switch (name) {
    case 'sla': {
      const r = await buildSlaReport(db, p, now);
      return out(
        [
          'bucket',
          'bucketStart',
          'channelId',
          'channelName',
          'inbound',
          'answered',
          'answeredWithinTarget',
          'pctWithinTarget',
          'breached',
          'open',
          'p50BusinessMinutes',
          'p90BusinessMinutes',
          'p50WallMinutes',
          'p90WallMinutes',
        ],
        r.rows,
      );
    }
    case 'response-times': {
      const r = await buildResponseTimes(db, p, now);
      const flat = [...r.channels.map((g) => ({ ...g, by: 'channel' })), ...r.topics.map((g) => ({ ...g, by: 'topic' }))].map((g) => ({
        by: g.by,
        id: g.id,
        name: g.name,
        answered: g.answered,
        p50BusinessMinutes: g.business.p50,
        p90BusinessMinutes: g.business.p90,
        p95BusinessMinutes: g.business.p95,
        p50WallMinutes: g.wall.p50,
        p90WallMinutes: g.wall.p90,
        p95WallMinutes: g.wall.p95,
      }));
      return out(
        [
          'by',
          'id',
          'name',
          'answered',
          'p50BusinessMinutes',
          'p90BusinessMinutes',
          'p95BusinessMinutes',
          'p50WallMinutes',
          'p90WallMinutes',
          'p95WallMinutes',
        ],
        flat,
      );
    }
    case 'volume': {
      const r = await buildVolume(db, p, now);
      const days = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
      const flat = r.heatmap.flatMap((hours, d) => hours.map((n, hour) => ({ weekday: days[d]!, hour, inbound: n })));
      return out(['weekday', 'hour', 'inbound'], flat);
    }
    case 'backlog': {
      const r = await buildBacklog(db, p, now);
      return out(
        ['age', 'new', 'assigned', 'saved', 'total'],
        r.ages.map((a) => ({ age: a.label, new: a.new, assigned: a.assigned, saved: a.saved, total: a.total })),
      );
    }
    case 'people': {
      const r = await buildPeople(db, p, now);
      return out(
        ['userId', 'name', 'role', 'repliesSent', 'answered', 'answeredWithinTarget', 'medianBusinessMinutes', 'medianWallMinutes', 'breachesResponsible'],
        r.people,
      );
    }
    default:
      throw new Error(`unknown report ${name}`);
  }
}

/** Builds a report's CSV and records who exported what (the export itself is the audited action). */
export async function exportReport(db: Db, actor: Actor, name: string, p: ReportParams, now: Date) {
  const result = await reportCsv(db, name, p, now);
  await appendAudit(db, {
    actor,
    action: 'report.exported',
    subjectType: 'report',
    subjectId: name,
    channelId: p.channelId ?? null,
    after: {
      report: name,
      from: p.from.toISOString(),
      to: p.to.toISOString(),
      timeZone: p.timeZone,
      granularity: p.granularity,
      channelId: p.channelId ?? null,
      topicId: p.topicId ?? null,
      rows: result.rows,
    },
  });
  return result;
}
