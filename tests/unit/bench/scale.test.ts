import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchParts, lastBaseline } from '../../../bench/scale';

describe('BENCH_ONLY', () => {
  it('when it is unset or empty, then every part runs', () => {
    expect([...benchParts(undefined)].sort()).toEqual(['audit', 'ingest', 'live', 'pages', 'reports']);
    expect(benchParts(' ').size).toBe(5);
  });

  it('when it names parts, then only those run', () => {
    expect([...benchParts('pages, reports')]).toEqual(['pages', 'reports']);
  });

  it('when it names an unknown part, then the bench refuses to start', () => {
    expect(() => benchParts('pages,inbox')).toThrow('BENCH_ONLY: unknown part inbox');
  });
});

describe('the 1× baseline in bench-results', () => {
  let dir: string;
  const write = (file: string, result: object) => writeFileSync(path.join(dir, file), JSON.stringify(result));
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bench-results-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('when several runs are stored, then the newest 1× run with both figures is the baseline', () => {
    const data = { messages: 993_700 };
    write('a.json', { ranAt: '2026-12-01T10:00:00.000Z', data, inbox: { p95: 40 }, reports: { p95: 150 } }); // before BENCH_SCALE: 1×
    write('b.json', { ranAt: '2026-12-02T10:00:00.000Z', scale: 1, data, inbox: { p95: 30 }, reports: { p95: 120 } });
    write('c.json', { ranAt: '2026-12-03T10:00:00.000Z', scale: 10, data: { messages: 9_937_000 }, inbox: { p95: 50 }, reports: { p95: 130 } });
    write('d.json', { ranAt: '2026-12-04T10:00:00.000Z', scale: 1, data, reports: { p95: 110 } }); // BENCH_ONLY=reports
    write('e.json', { ranAt: '2026-12-04T11:00:00.000Z', scale: 1, data: { messages: 19_860 }, inbox: { p95: 9 }, reports: { p95: 9 } }); // BENCH_MESSAGES
    write('latest.json', { ranAt: '2026-12-05T10:00:00.000Z', scale: 1, data, inbox: { p95: 1 }, reports: { p95: 1 } });
    expect(lastBaseline(dir, 1_000_000)).toEqual({ ranAt: '2026-12-02T10:00:00.000Z', inboxP95: 30, reportsP95: 120 });
  });

  it('when no 1× run is on record, then there is no baseline', () => {
    write('c.json', { ranAt: '2026-12-03T10:00:00.000Z', scale: 10, data: { messages: 9_937_000 }, inbox: { p95: 50 }, reports: { p95: 130 } });
    expect(lastBaseline(dir, 1_000_000)).toBeNull();
    expect(lastBaseline(path.join(dir, 'missing'), 1_000_000)).toBeNull();
  });
});
