/**
 * Ten times the data (issue #16, point 6): `BENCH_SCALE` multiplies the data set, `BENCH_ONLY` picks
 * the parts of the bench to run, and the scaled run's inbox and SLA report p95 are printed beside
 * twice the figures of the last 1× run on record in bench-results/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const PARTS = ['ingest', 'pages', 'reports', 'audit', 'live'] as const;
export type BenchPart = (typeof PARTS)[number];

/** The parts named in BENCH_ONLY (comma-separated); every part when it is unset or empty. */
export function benchParts(only: string | undefined): ReadonlySet<BenchPart> {
  const names = (only ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.length === 0) return new Set(PARTS);
  const unknown = names.filter((name) => !(PARTS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`BENCH_ONLY: unknown part ${unknown.join(', ')} (parts: ${PARTS.join(', ')})`);
  return new Set(names as BenchPart[]);
}

type ScaleFigures = { inboxP95: number; reportsP95: number };
type Baseline = ScaleFigures & { ranAt: string };
/** Printed beside the scaled figures without a target of their own (point 6 names the inbox and the report). */
type ShownFigures = Partial<ScaleFigures> & { reportPageP95?: number | undefined };

type StoredResult = { ranAt?: string; scale?: number; data?: { messages?: number }; inbox?: { p95?: number }; reports?: { p95?: number } };

/**
 * The newest 1× run in `dir` that measured both the inbox and the SLA report on about `messages`
 * messages (±10 %: runs with BENCH_MESSAGES set are no baseline); results from before BENCH_SCALE are 1×.
 */
export function lastBaseline(dir: string, messages: number): Baseline | null {
  let files: string[];
  try {
    files = readdirSync(dir).filter((file) => file.endsWith('.json') && file !== 'latest.json');
  } catch {
    return null;
  }
  const runs = files
    .map((file) => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as StoredResult)
    .flatMap((r) =>
      (r.scale ?? 1) === 1 &&
      Math.abs((r.data?.messages ?? 0) - messages) <= messages / 10 &&
      r.ranAt &&
      r.inbox?.p95 !== undefined &&
      r.reports?.p95 !== undefined
        ? [{ ranAt: r.ranAt, inboxP95: r.inbox.p95, reportsP95: r.reports.p95 }]
        : [],
    )
    .sort((a, b) => a.ranAt.localeCompare(b.ranAt));
  return runs.at(-1) ?? null;
}

/** The scaled run's figures beside their target: no worse than twice the last 1× run's. */
export function printScaleTable(scale: number, measured: ShownFigures, baseline: Baseline | null) {
  console.log(`\n| ${scale}× the data | measured | target | met |\n|---|---|---|---|`);
  if (!baseline) console.log('| (no 1× run with the inbox and the SLA report on record in bench-results/: no target) | | | |');
  const row = (name: string, value: number | undefined, base: number | undefined) => {
    if (value === undefined) return;
    const target = base === undefined ? '—' : `≤ ${(2 * base).toFixed(0)} ms (2 × ${base.toFixed(0)} ms, 1× run of ${baseline!.ranAt})`;
    const met = base === undefined ? '—' : value <= 2 * base ? 'yes' : 'NO';
    console.log(`| ${name} | p95 ${value.toFixed(0)} ms | ${target} | ${met} |`);
  };
  row('2 inbox page, 32 clients', measured.inboxP95, baseline?.inboxP95);
  row('3 SLA report, 90 days', measured.reportsP95, baseline?.reportsP95);
  row('3 SLA report page, 90 days by day', measured.reportPageP95, undefined);
}
