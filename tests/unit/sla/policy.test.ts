/** The pure SLA rules: policy precedence, due instants, states, response times. */
import { compileCalendar } from '../../../server/domain/sla/businessTime';
import {
  applicablePolicyId,
  conversationSlaState,
  remainingMinutes,
  slaKindFor,
  slaStateAt,
  startClock,
  timeResponse,
} from '../../../server/domain/sla/policy';

const office = compileCalendar({
  name: 'Berlin office',
  timeZone: 'Europe/Berlin',
  weekly: { mon: [['08:00', '18:00']], tue: [['08:00', '18:00']], wed: [['08:00', '18:00']], thu: [['08:00', '18:00']], fri: [['08:00', '18:00']] },
  holidays: { country: 'DE', region: 'NW' },
  closures: [],
});
const targets = { firstResponseMinutes: 60, nextResponseMinutes: 30, resolutionMinutes: null, warnAtPercent: 80 };
const at = (iso: string) => new Date(iso);

describe('which policy applies', () => {
  it("when the topic has a policy, then it wins over the channel's", () => {
    expect(applicablePolicyId({ slaPolicyId: 'channel' }, { slaPolicyId: 'topic' })).toBe('topic');
  });
  it("when the topic has none (or there is no topic), then the channel's applies; with neither, none", () => {
    expect(applicablePolicyId({ slaPolicyId: 'channel' }, { slaPolicyId: null })).toBe('channel');
    expect(applicablePolicyId({ slaPolicyId: 'channel' }, null)).toBe('channel');
    expect(applicablePolicyId({ slaPolicyId: null }, null)).toBeNull();
  });
  it('when a post is the first inbound of its conversation, then it is timed as first response, later ones as next response', () => {
    expect(slaKindFor(true)).toBe('first');
    expect(slaKindFor(false)).toBe('next');
  });
});

describe('starting the clock', () => {
  it('when a post arrives Friday 17:30 in office hours, then it is due Monday 08:30 and warned Monday 08:18', () => {
    const clock = startClock(office, targets, 'first', at('2026-11-27T17:30:00+01:00'));
    expect(clock.dueAt.toISOString()).toBe('2026-11-30T07:30:00.000Z');
    expect(clock.warnAt.toISOString()).toBe('2026-11-30T07:18:00.000Z');
  });
  it('when a later post is timed, then the next-response target applies; with no calendar the clock runs 24/7', () => {
    const clock = startClock(null, targets, 'next', at('2026-11-28T23:50:00Z'));
    expect(clock.dueAt.toISOString()).toBe('2026-11-29T00:20:00.000Z');
    expect(clock.warnAt.toISOString()).toBe('2026-11-29T00:14:00.000Z');
  });
});

describe('state of a post', () => {
  const post = { slaDueAt: at('2026-11-30T08:00:00Z'), slaWarnAt: at('2026-11-30T07:48:00Z'), slaState: 'ok' as const, respondedAt: null };
  it('when before the warning instant, then ok; from it warning; from the due instant breached', () => {
    expect(slaStateAt(post, at('2026-11-30T07:47:59Z'))).toBe('ok');
    expect(slaStateAt(post, at('2026-11-30T07:48:00Z'))).toBe('warning');
    expect(slaStateAt(post, at('2026-11-30T08:00:00Z'))).toBe('breached');
  });
  it('when answered by the due time, then met; when answered late or already breached by the timer, then breached', () => {
    expect(slaStateAt({ ...post, respondedAt: at('2026-11-30T08:00:00Z') }, at('2026-12-30T00:00:00Z'))).toBe('met');
    expect(slaStateAt({ ...post, respondedAt: at('2026-11-30T08:00:01Z') }, at('2026-11-30T08:00:01Z'))).toBe('breached');
    expect(slaStateAt({ ...post, slaState: 'breached', respondedAt: at('2026-11-30T07:00:00Z') }, at('2026-11-30T07:00:00Z'))).toBe('breached');
  });
  it('when the post was never timed, then it has no state', () => {
    expect(slaStateAt({ slaDueAt: null, slaWarnAt: null, slaState: null, respondedAt: null }, new Date())).toBeNull();
  });
});

describe('state of a conversation', () => {
  const now = at('2026-11-30T09:00:00Z');
  const p = (due: string, respondedAt: string | null, postedAt = '2026-11-30T06:00:00Z') => ({
    slaDueAt: at(due),
    slaWarnAt: null,
    slaState: null,
    respondedAt: respondedAt ? at(respondedAt) : null,
    postedAt: at(postedAt),
  });
  it('when posts await an answer, then the worst of their states counts, answered posts aside', () => {
    expect(conversationSlaState([p('2026-11-30T10:00:00Z', null), p('2026-11-30T08:00:00Z', null)], now)).toBe('breached');
    expect(conversationSlaState([p('2026-11-30T08:00:00Z', '2026-11-30T08:30:00Z'), p('2026-11-30T10:00:00Z', null)], now)).toBe('ok');
  });
  it('when nothing awaits, then the latest post decides; with no timed post there is no state', () => {
    expect(
      conversationSlaState(
        [p('2026-11-30T07:00:00Z', '2026-11-30T07:30:00Z', '2026-11-30T06:00:00Z'), p('2026-11-30T08:00:00Z', '2026-11-30T07:50:00Z', '2026-11-30T07:40:00Z')],
        now,
      ),
    ).toBe('met');
    expect(conversationSlaState([], now)).toBeNull();
  });
});

describe('response time', () => {
  it('when a Friday 17:30 post is answered Monday 08:15, then 45 business minutes and 3765 wall minutes, met', () => {
    const timing = timeResponse(office, { postedAt: at('2026-11-27T17:30:00+01:00'), dueAt: at('2026-11-30T08:30:00+01:00') }, at('2026-11-30T08:15:00+01:00'));
    expect(timing).toEqual({ state: 'met', businessMinutes: 45, wallMinutes: 3765 });
  });
  it('when the answer comes after the due time, then breached', () => {
    expect(timeResponse(null, { postedAt: at('2026-11-27T10:00:00Z'), dueAt: at('2026-11-27T11:00:00Z') }, at('2026-11-27T11:00:30Z')).state).toBe('breached');
  });
  it('when time remains, then remaining minutes are business minutes; overdue, they are negative wall minutes', () => {
    expect(remainingMinutes(office, at('2026-11-30T08:30:00+01:00'), at('2026-11-27T17:45:00+01:00'))).toBe(45);
    expect(remainingMinutes(office, at('2026-11-30T08:30:00+01:00'), at('2026-11-30T09:00:00+01:00'))).toBe(-30);
  });
});
