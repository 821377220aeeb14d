import fc from 'fast-check';
import { erlangC, expectedWaitSeconds, MAX_EXPECTED_WAIT_SECONDS, type QueueState } from '../../../server/domain/webchat/expectedWait';

const state = (over: Partial<QueueState> = {}): QueueState => ({
  waitingAhead: 0,
  freeSlots: 0,
  busySlots: 9,
  arrivalsPerHour: 60,
  meanHandleSeconds: 300,
  recentStartsPerMinute: 1,
  ...over,
});

const anyState = () =>
  fc.record({
    waitingAhead: fc.integer({ min: 0, max: 500 }),
    freeSlots: fc.integer({ min: 0, max: 100 }),
    busySlots: fc.integer({ min: 0, max: 100 }),
    arrivalsPerHour: fc.double({ min: 0, max: 10_000, noNaN: true }),
    meanHandleSeconds: fc.double({ min: 0, max: 86_400, noNaN: true }),
    recentStartsPerMinute: fc.double({ min: 0, max: 1000, noNaN: true }),
  });

describe('Erlang C', () => {
  test('when one server takes a load of 0.5, then half of the arrivals wait, on average one service time', () => {
    // M/M/1: P(wait) = ρ, W_q = ρ / (μ − λ).
    const figures = erlangC(1, 0.5, 1);
    expect(figures?.pWait).toBeCloseTo(0.5, 10);
    expect(figures?.meanWaitSeconds).toBeCloseTo(1, 10);
  });

  test('when two servers take a load of 1 Erlang, then a third of the arrivals wait (the textbook value)', () => {
    // C(2, 1) = (1/2 · 2) / (1 + 1 + 1) = 1/3; W_q = C / (2μ − λ) = 1/3.
    const figures = erlangC(2, 1, 1);
    expect(figures?.pWait).toBeCloseTo(1 / 3, 10);
    expect(figures?.meanWaitSeconds).toBeCloseTo(1 / 3, 10);
  });

  test('when the queue is not stable or has no servers, then Erlang C is not defined', () => {
    expect(erlangC(3, 3, 1)).toBeNull();
    expect(erlangC(3, 4, 1)).toBeNull();
    expect(erlangC(0, 0.1, 1)).toBeNull();
    expect(erlangC(3, 0.1, 0)).toBeNull();
  });
});

describe('expected wait', () => {
  test('when a slot is free and nobody waits ahead, then the wait is 0', () => {
    expect(expectedWaitSeconds(state({ freeSlots: 1, busySlots: 8 }))).toBe(0);
    expect(expectedWaitSeconds(state({ freeSlots: 3, busySlots: 0, waitingAhead: 2, meanHandleSeconds: 0, recentStartsPerMinute: 0 }))).toBe(0);
  });

  test('when all slots are busy and the model is defined, then the visitor waits for their releases at rate cμ', () => {
    // 9 slots × 1/300 s → a release every 33.3 s; third in line → 100 s.
    expect(expectedWaitSeconds(state({ waitingAhead: 2 }))).toBeCloseTo(100, 6);
    // A free slot taken by someone ahead counts: 2 ahead, 1 free → 2 releases.
    expect(expectedWaitSeconds(state({ waitingAhead: 2, freeSlots: 1, busySlots: 8 }))).toBeCloseTo(2 * 33.333, 2);
  });

  test('when arrivals exceed what the slots can handle, then the measured throughput answers', () => {
    // 9 slots × 12/h = 108/h < 200/h: overloaded; 3 starts a minute → 20 s per start, position 5 → 100 s.
    expect(expectedWaitSeconds(state({ waitingAhead: 4, arrivalsPerHour: 200, recentStartsPerMinute: 3 }))).toBeCloseTo(100, 6);
  });

  test('when no handling time was measured or no slot exists, then the measured throughput answers', () => {
    expect(expectedWaitSeconds(state({ waitingAhead: 1, meanHandleSeconds: 0, recentStartsPerMinute: 2 }))).toBeCloseTo(60, 6);
    expect(expectedWaitSeconds(state({ waitingAhead: 1, busySlots: 0, recentStartsPerMinute: 2 }))).toBeCloseTo(60, 6);
  });

  test('when nothing is known, then the wait is the bound (nobody is invited into it)', () => {
    expect(expectedWaitSeconds(state({ busySlots: 0, recentStartsPerMinute: 0 }))).toBe(MAX_EXPECTED_WAIT_SECONDS);
  });

  test('when the input is broken (negative, NaN, infinite), then the answer is still a finite bounded number', () => {
    const broken = state({
      waitingAhead: Number.NaN,
      freeSlots: -3,
      busySlots: Number.POSITIVE_INFINITY,
      arrivalsPerHour: -1,
      meanHandleSeconds: Number.NaN,
      recentStartsPerMinute: -5,
    });
    const wait = expectedWaitSeconds(broken);
    expect(Number.isFinite(wait)).toBe(true);
    expect(wait).toBeGreaterThanOrEqual(0);
    expect(wait).toBeLessThanOrEqual(MAX_EXPECTED_WAIT_SECONDS);
  });

  test('property: the wait is finite, within [0, bound], and never shrinks when more visitors wait ahead', () => {
    fc.assert(
      fc.property(anyState(), fc.integer({ min: 1, max: 50 }), (s, more) => {
        const wait = expectedWaitSeconds(s);
        const later = expectedWaitSeconds({ ...s, waitingAhead: s.waitingAhead + more });
        return Number.isFinite(wait) && wait >= 0 && wait <= MAX_EXPECTED_WAIT_SECONDS && later >= wait;
      }),
    );
  });

  test('property: a free slot for the visitor means no wait', () => {
    fc.assert(
      fc.property(anyState(), (s) => {
        fc.pre(s.freeSlots > 0);
        return expectedWaitSeconds({ ...s, waitingAhead: s.freeSlots - 1 }) === 0;
      }),
    );
  });

  test('property: more free slots never lengthen the wait', () => {
    fc.assert(
      fc.property(
        anyState(),
        (s) =>
          expectedWaitSeconds({ ...s, freeSlots: s.freeSlots + 1, busySlots: Math.max(0, s.busySlots - 1) }) <= expectedWaitSeconds(s) || s.busySlots === 0,
      ),
    );
  });
});
