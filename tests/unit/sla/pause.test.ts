import { compileCalendar, type CompiledCalendar } from '../../../server/domain/sla/businessTime';
import { parseCalendarDefinition } from '../../../server/domain/sla/calendar';
import { pauseTransition, shiftPausedClock } from '../../../server/domain/sla/pause';
import { slaStateAt } from '../../../server/domain/sla/policy';
import type { ConversationStatus } from '../../../server/db/schema';

// Instants are written with the Berlin offset in force (+01:00 in November/December).
const at = (iso: string) => new Date(iso);

const OFFICE: CompiledCalendar = compileCalendar(
  parseCalendarDefinition({
    name: 'office',
    timeZone: 'Europe/Berlin',
    weekly: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']] },
    holidays: null,
    closures: [],
  }),
);

describe('shiftPausedClock', () => {
  it('when a 24/7 clock is paused for 90 minutes, then due and warning move forward by exactly 90 minutes', () => {
    const shifted = shiftPausedClock(
      null,
      { dueAt: at('2026-11-24T12:00:00+01:00'), warnAt: at('2026-11-24T11:00:00+01:00') },
      at('2026-11-24T10:00:00+01:00'),
      at('2026-11-24T11:30:00+01:00'),
    );
    expect(shifted.pausedMinutes).toBe(90);
    expect(shifted.dueAt).toEqual(at('2026-11-24T13:30:00+01:00'));
    expect(shifted.warnAt).toEqual(at('2026-11-24T12:30:00+01:00'));
  });

  it('when an office-hours clock is paused overnight, then only the open minutes of the pause count', () => {
    // Paused Tuesday 16:00, resumed Wednesday 10:00: 60 open minutes on Tuesday + 60 on Wednesday.
    const shifted = shiftPausedClock(
      OFFICE,
      { dueAt: at('2026-11-25T11:00:00+01:00'), warnAt: at('2026-11-25T10:30:00+01:00') },
      at('2026-11-24T16:00:00+01:00'),
      at('2026-11-25T10:00:00+01:00'),
    );
    expect(shifted.pausedMinutes).toBe(120);
    expect(shifted.dueAt).toEqual(at('2026-11-25T13:00:00+01:00'));
    expect(shifted.warnAt).toEqual(at('2026-11-25T12:30:00+01:00'));
  });

  it('when the shifted due time passes closing time, then it continues at the next opening', () => {
    // Due Friday 16:30, paused 60 open minutes: 30 left on Friday, 30 more on Monday → Monday 09:30.
    const shifted = shiftPausedClock(
      OFFICE,
      { dueAt: at('2026-11-27T16:30:00+01:00'), warnAt: null },
      at('2026-11-27T10:00:00+01:00'),
      at('2026-11-27T11:00:00+01:00'),
    );
    expect(shifted.dueAt).toEqual(at('2026-11-30T09:30:00+01:00'));
    expect(shifted.warnAt).toBeNull();
  });

  it('when the whole pause fell in closed time (a weekend), then nothing moves', () => {
    const clock = { dueAt: at('2026-11-30T10:00:00+01:00'), warnAt: at('2026-11-30T09:30:00+01:00') };
    const shifted = shiftPausedClock(OFFICE, clock, at('2026-11-28T10:00:00+01:00'), at('2026-11-29T20:00:00+01:00'));
    expect(shifted).toEqual({ ...clock, pausedMinutes: 0 });
  });

  it('when the resume instant is not after the pause instant, then nothing moves', () => {
    const clock = { dueAt: at('2026-11-24T12:00:00+01:00'), warnAt: at('2026-11-24T11:00:00+01:00') };
    expect(shiftPausedClock(null, clock, at('2026-11-24T10:00:00+01:00'), at('2026-11-24T09:00:00+01:00'))).toEqual({ ...clock, pausedMinutes: 0 });
  });
});

describe('pauseTransition', () => {
  const all: ConversationStatus[] = ['new', 'assigned', 'saved', 'answered', 'closed'];

  it('when a conversation enters saved from any other status, then the clocks pause', () => {
    for (const from of all.filter((s) => s !== 'saved')) expect(pauseTransition(from, 'saved')).toBe('pause');
  });

  it('when a conversation leaves saved for any other status, then the clocks resume', () => {
    for (const to of all.filter((s) => s !== 'saved')) expect(pauseTransition('saved', to)).toBe('resume');
  });

  it('when neither side of the change is saved (or both are), then nothing happens', () => {
    expect(pauseTransition('saved', 'saved')).toBeNull();
    expect(pauseTransition('new', 'assigned')).toBeNull();
    expect(pauseTransition('answered', 'closed')).toBeNull();
  });
});

describe('slaStateAt of a paused post', () => {
  const post = { slaDueAt: at('2026-11-24T12:00:00+01:00'), slaWarnAt: at('2026-11-24T11:00:00+01:00'), slaState: 'ok' as const, respondedAt: null };

  it('when the due instant passes while the clock is paused, then the post still shows the state it had when paused', () => {
    const paused = { ...post, slaPausedAt: at('2026-11-24T10:30:00+01:00') };
    expect(slaStateAt(paused, at('2026-11-24T13:00:00+01:00'))).toBe('ok');
    expect(slaStateAt(post, at('2026-11-24T13:00:00+01:00'))).toBe('breached');
  });

  it('when the clock was paused after its warning instant, then it shows warning, not breached', () => {
    const paused = { ...post, slaPausedAt: at('2026-11-24T11:30:00+01:00') };
    expect(slaStateAt(paused, at('2026-11-25T09:00:00+01:00'))).toBe('warning');
  });
});
