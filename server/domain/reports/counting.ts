/**
 * The counting rules of the SLA report (docs/reports.md explains them for managers). The SQL in
 * reports.repo.ts implements the same rules in aggregate; these functions state them per post and
 * turn the raw aggregates into the figures the API returns.
 */
import type { SlaState } from '../../db/schema';
import { percentileOfBins, type Bins } from './histogram';

export type PostOutcome = 'withinTarget' | 'breached' | 'open';

export type CountedPost = { slaDueAt: Date | null; slaState: SlaState | null; respondedAt: Date | null };

/**
 * A timed inbound post at `now`:
 * - withinTarget: answered no later than its due time (and no breach was recorded for it);
 * - breached: answered after its due time, or still unanswered when its due time has passed, or the
 *   breach timer recorded a breach — whichever comes first; the timer's lag never hides a breach;
 * - open: not answered and not yet due (an "ok" or "warning" post). Open posts are neither good nor bad.
 * Posts without a due time (no SLA policy) are not counted at all: null.
 */
export function outcomeOf(post: CountedPost, now: Date): PostOutcome | null {
  if (!post.slaDueAt) return null;
  if (post.respondedAt) {
    return post.slaState !== 'breached' && post.respondedAt.getTime() <= post.slaDueAt.getTime() ? 'withinTarget' : 'breached';
  }
  return post.slaState === 'breached' || now.getTime() >= post.slaDueAt.getTime() ? 'breached' : 'open';
}

/**
 * Share of decided posts (answered, or overdue) that were answered within target, in percent with one
 * decimal; null when nothing in the bucket is decided yet. Open posts are left out of the denominator.
 */
export function pctWithinTarget(answeredWithinTarget: number, breached: number): number | null {
  const decided = answeredWithinTarget + breached;
  return decided === 0 ? null : Math.round((answeredWithinTarget / decided) * 1000) / 10;
}

/** Minutes as the API shows them: two decimals, null stays null. */
export function roundMinutes(v: number | string | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  const n = Number(v);
  return Number.isFinite(n) ? Math.round(n * 100) / 100 : null;
}

/**
 * What the rollups hold for a group of timed posts (reportRollup.repo.ts): decided outcomes, posts still
 * awaiting an answer split by "now", and the bins of the answered posts' response times.
 */
export type OutcomeFigures = {
  within: number;
  late: number;
  breached: number;
  open: number;
  overdue: number;
  business: Bins;
  wall: Bins;
};

/** The counting rules (docs/reports.md 3–6) over rolled-up outcomes: inbound = within + breached + open. */
export function slaCounts(f: OutcomeFigures) {
  const breached = f.late + f.breached + f.overdue;
  return {
    inbound: f.within + breached + f.open,
    answered: f.within + f.late,
    answeredWithinTarget: f.within,
    breached,
    open: f.open,
  };
}

export type SlaReportRow = {
  bucket: string;
  bucketStart: string;
  channelId: string;
  channelName: string;
  inbound: number;
  answered: number;
  answeredWithinTarget: number;
  pctWithinTarget: number | null;
  breached: number;
  open: number;
  p50BusinessMinutes: number | null;
  p90BusinessMinutes: number | null;
  p50WallMinutes: number | null;
  p90WallMinutes: number | null;
};

export function toSlaReportRow(
  bucket: string,
  bucketStart: Date | string,
  channelId: string,
  f: OutcomeFigures,
  channelNames: Map<string, string>,
): SlaReportRow {
  const counts = slaCounts(f);
  return {
    bucket,
    bucketStart: new Date(bucketStart).toISOString(),
    channelId,
    channelName: channelNames.get(channelId) ?? channelId,
    ...counts,
    pctWithinTarget: pctWithinTarget(counts.answeredWithinTarget, counts.breached),
    p50BusinessMinutes: roundMinutes(percentileOfBins(f.business, 0.5)),
    p90BusinessMinutes: roundMinutes(percentileOfBins(f.business, 0.9)),
    p50WallMinutes: roundMinutes(percentileOfBins(f.wall, 0.5)),
    p90WallMinutes: roundMinutes(percentileOfBins(f.wall, 0.9)),
  };
}

export type Totals = Pick<SlaReportRow, 'inbound' | 'answered' | 'answeredWithinTarget' | 'breached' | 'open'> & { pctWithinTarget: number | null };

/** Sums counts over rows (percentiles do not add up, so totals carry none). */
export function totalsOf(rows: Pick<SlaReportRow, 'inbound' | 'answered' | 'answeredWithinTarget' | 'breached' | 'open'>[]): Totals {
  const t = { inbound: 0, answered: 0, answeredWithinTarget: 0, breached: 0, open: 0 };
  for (const r of rows) {
    t.inbound += r.inbound;
    t.answered += r.answered;
    t.answeredWithinTarget += r.answeredWithinTarget;
    t.breached += r.breached;
    t.open += r.open;
  }
  return { ...t, pctWithinTarget: pctWithinTarget(t.answeredWithinTarget, t.breached) };
}

/** Bins for the response-time histogram, in minutes: [lower, upper) ... last is open-ended. */
export const HISTOGRAM_EDGES = [0, 5, 15, 30, 60, 120, 240, 480, 1440] as const;

export function histogramLabel(i: number): string {
  const lo = HISTOGRAM_EDGES[i]!;
  const hi = HISTOGRAM_EDGES[i + 1];
  return hi === undefined ? `≥ ${lo}` : `${lo}–${hi}`;
}

/** Open backlog age buckets in hours: [lower, upper). */
export const BACKLOG_AGE_EDGES_HOURS = [0, 1, 4, 24, 72, 168] as const;

export function backlogAgeLabel(i: number): string {
  const fmt = (h: number) => (h >= 24 ? `${h / 24} d` : `${h} h`);
  const lo = BACKLOG_AGE_EDGES_HOURS[i]!;
  const hi = BACKLOG_AGE_EDGES_HOURS[i + 1];
  return hi === undefined ? `≥ ${fmt(lo)}` : `${fmt(lo)}–${fmt(hi)}`;
}

/** Default service-level goal drawn as the dashed target line (percent within target). */
export const DEFAULT_GOAL_PERCENT = 90;
