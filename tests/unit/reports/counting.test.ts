import { slaStateAt } from '../../../server/domain/sla/policy';
import { outcomeOf, pctWithinTarget, toSlaReportRow, totalsOf, type CountedPost } from '../../../server/domain/reports/counting';
import { emptyBins } from '../../../server/domain/reports/histogram';
import { binsOf } from '../../support/bins';

const at = (iso: string) => new Date(iso);
const due = at('2026-10-20T10:00:00Z');
const post = (p: Partial<CountedPost>): CountedPost => ({ slaDueAt: due, slaState: 'ok', respondedAt: null, ...p });

describe('outcomeOf', () => {
  it('when a post is answered at or before its due time, then it is within target', () => {
    expect(outcomeOf(post({ respondedAt: due, slaState: 'met' }), at('2026-11-01T00:00:00Z'))).toBe('withinTarget');
  });

  it('when a post is answered a minute late, then it is breached', () => {
    expect(outcomeOf(post({ respondedAt: at('2026-10-20T10:01:00Z'), slaState: 'breached' }), at('2026-11-01T00:00:00Z'))).toBe('breached');
  });

  it('when a post is unanswered and not yet due, then it is open, not breached (also in warning)', () => {
    const now = at('2026-10-20T09:59:00Z');
    expect(outcomeOf(post({}), now)).toBe('open');
    expect(outcomeOf(post({ slaState: 'warning' }), now)).toBe('open');
  });

  it('when a post is unanswered and its due time has passed, then it is breached even if the timer has not run', () => {
    expect(outcomeOf(post({ slaState: 'ok' }), due)).toBe('breached');
  });

  it('when the breach timer recorded a breach, then a later answer before a moved due time does not undo it', () => {
    expect(outcomeOf(post({ slaState: 'breached', respondedAt: at('2026-10-20T09:00:00Z') }), at('2026-11-01T00:00:00Z'))).toBe('breached');
  });

  it('when a post has no due time, then it is not counted', () => {
    expect(outcomeOf(post({ slaDueAt: null }), due)).toBeNull();
  });

  it('when compared with the SLA module, then open means ok/warning and within target means met', () => {
    const now = at('2026-10-20T09:30:00Z');
    const cases: CountedPost[] = [
      post({}),
      post({ slaState: 'warning' }),
      post({ slaDueAt: at('2026-10-20T09:00:00Z') }),
      post({ respondedAt: at('2026-10-20T09:10:00Z'), slaState: 'met' }),
      post({ respondedAt: at('2026-10-20T10:30:00Z'), slaState: 'breached' }),
    ];
    for (const c of cases) {
      const state = slaStateAt({ ...c, slaWarnAt: null }, now);
      const expected = state === 'met' ? 'withinTarget' : state === 'breached' ? 'breached' : 'open';
      expect(outcomeOf(c, now)).toBe(expected);
    }
  });
});

describe('pctWithinTarget', () => {
  it('when 14 of 15 decided posts were within target, then 93.3 (open posts left out)', () => {
    expect(pctWithinTarget(14, 1)).toBe(93.3);
  });
  it('when nothing is decided yet, then null, not 0 or 100', () => {
    expect(pctWithinTarget(0, 0)).toBeNull();
  });
  it('when all decided posts breached, then 0', () => {
    expect(pctWithinTarget(0, 3)).toBe(0);
  });
});

describe('toSlaReportRow and totalsOf', () => {
  it('when rolled-up outcomes come in, then late and overdue posts count as breached, open ones only as open, and percentiles come off the bins', () => {
    const business = binsOf([12.5, 13.5, 14.5]);
    const row = toSlaReportRow(
      '2026-10-25',
      new Date('2026-10-24T22:00:00.000Z'),
      'c1',
      { within: 2, late: 1, breached: 1, open: 1, overdue: 1, business, wall: emptyBins() },
      new Map([['c1', 'X mentions']]),
    );
    expect(row).toEqual({
      bucket: '2026-10-25',
      bucketStart: '2026-10-24T22:00:00.000Z',
      channelId: 'c1',
      channelName: 'X mentions',
      inbound: 6,
      answered: 3,
      answeredWithinTarget: 2,
      pctWithinTarget: 40,
      breached: 3,
      open: 1,
      p50BusinessMinutes: 13.5,
      p90BusinessMinutes: 14.3,
      p50WallMinutes: null,
      p90WallMinutes: null,
    });
  });

  it('when rows are summed, then the percentage is recomputed from the sums, not averaged', () => {
    const t = totalsOf([
      { inbound: 10, answered: 10, answeredWithinTarget: 9, breached: 1, open: 0 },
      { inbound: 2, answered: 1, answeredWithinTarget: 0, breached: 1, open: 1 },
    ]);
    expect(t).toEqual({ inbound: 12, answered: 11, answeredWithinTarget: 9, breached: 2, open: 1, pctWithinTarget: 81.8 });
  });
});
