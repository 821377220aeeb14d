import fc from 'fast-check';
import { channelFailureVerdict, type ChannelState } from '../../../server/domain/alerts/channelFailureVerdict';

const now = new Date('2026-12-03T12:00:00Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000);
const p = { silentMinutes: 240, gapFactor: 3, failureCount: 3, failedReplies: 3 };
const healthy: ChannelState = {
  paused: false,
  lastInboundAt: minutesAgo(5),
  usualGapMinutes: 10,
  polling: { consecutiveFailures: 0, lastErrorKind: null },
  failedReplies: 0,
};

describe('did a channel fail', () => {
  it.each<[string, Partial<ChannelState>, string[]]>([
    ['a busy channel', {}, []],
    ['no post for 241 minutes (usual gap 10)', { lastInboundAt: minutesAgo(241) }, ['silent']],
    ['no post for 5 hours where posts come every 2 hours', { lastInboundAt: minutesAgo(300), usualGapMinutes: 120 }, []],
    ['no post for 7 hours where posts come every 2 hours', { lastInboundAt: minutesAgo(421), usualGapMinutes: 120 }, ['silent']],
    ['a channel that never received anything', { lastInboundAt: null, usualGapMinutes: null }, []],
    ['3 failed polls in a row', { polling: { consecutiveFailures: 3, lastErrorKind: 'transient' } }, ['polling']],
    ['2 failed polls in a row', { polling: { consecutiveFailures: 2, lastErrorKind: 'transient' } }, []],
    ['one poll refused for its credentials', { polling: { consecutiveFailures: 1, lastErrorKind: 'auth' } }, ['polling']],
    ['a paused channel, silent and failing', { paused: true, lastInboundAt: minutesAgo(9999), polling: { consecutiveFailures: 9, lastErrorKind: 'auth' } }, []],
    ['3 replies failed', { failedReplies: 3 }, ['sending']],
    ['silent, and replies fail', { lastInboundAt: minutesAgo(999), failedReplies: 4 }, ['silent', 'sending']],
  ])('when %s, then the reasons are %j', (_what, change, reasons) => {
    const v = channelFailureVerdict({ ...healthy, ...change }, now, p);
    expect(v.reasons).toEqual(reasons);
    expect(v.failing).toBe(reasons.length > 0);
  });

  it('when a channel stays silent longer, then it stays silent (monotone in time)', () => {
    fc.assert(
      fc.property(fc.nat(5000), fc.nat(5000), fc.option(fc.nat(600), { nil: null }), (ago, later, gap) => {
        const state = { ...healthy, lastInboundAt: minutesAgo(ago), usualGapMinutes: gap };
        const v = channelFailureVerdict(state, now, p);
        const after = channelFailureVerdict(state, new Date(now.getTime() + later * 60_000), p);
        if (v.reasons.includes('silent')) expect(after.reasons).toContain('silent');
        expect(v.limitMinutes).toBeGreaterThanOrEqual(p.silentMinutes);
      }),
    );
  });
});
