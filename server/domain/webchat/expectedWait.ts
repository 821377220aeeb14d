/**
 * The expected wait of a visitor in a chat queue, shown in the widget ("ca. 2 Min.") and compared with the
 * site's max wait before inviting.
 *
 * The model is M/M/c, the one behind Erlang C: visitors arrive as a Poisson stream (λ = arrivals per second),
 * each chat occupies one slot for an exponentially distributed handling time (mean 1/μ), and there are
 * c = free + busy chat slots of the eligible online agents, served first come, first served. Erlang C gives the
 * model's steady state: P(wait) = C(c, a) with a = λ/μ, and the mean wait of an arbitrary arrival
 * W_q = C(c, a) / (cμ − λ) (see `erlangC`).
 *
 * A visitor in the queue knows more than an arbitrary arrival: their position. So the prediction is the same
 * model's mean wait conditional on the observed state, not the unconditional W_q (which averages over all
 * states and errs for every single visitor):
 *   - a free slot for them (fewer visitors ahead than free slots) → 0;
 *   - otherwise they need k = waitingAhead − freeSlots + 1 slot releases; while all c slots are busy, releases
 *     come as a Poisson stream of rate cμ (memorylessness), so the wait is k / (cμ).
 * Averaged over the stationary queue lengths this equals Erlang C's W_q; the simulation test
 * (tests/unit/webchat/expectedWait.simulation.test.ts) checks both and states the error per visitor.
 *
 * The model is used only where it is defined: slots exist, a handling time was measured and the queue is
 * stable (λ < cμ). Otherwise (overload, no history, no slots) the measured throughput answers: the visitor
 * waits for k chat starts at the recent rate of starts, k / starts per second. Without either the wait is
 * unknown and reported as the bound, so nobody is invited into it.
 *
 * Assumptions, and what breaks them: arrivals are Poisson (bursts make real waits longer than predicted);
 * handling times are exponential and the same for every agent (agents with many parallel chats may be slower
 * per chat — measured handling time absorbs that on average); routing is first come, first served among chats
 * (a priority queue would let later chats overtake); a ringing chat holds its slot until accepted.
 */

export type QueueState = {
  waitingAhead: number;
  freeSlots: number;
  busySlots: number;
  arrivalsPerHour: number;
  meanHandleSeconds: number;
  recentStartsPerMinute: number;
};

/** The longest wait ever predicted (also the answer when nothing is known): four hours. */
export const MAX_EXPECTED_WAIT_SECONDS = 4 * 3600;

/** Erlang C: the probability that an arrival waits, and the mean wait of an arbitrary arrival (seconds). */
export function erlangC(servers: number, arrivalsPerSecond: number, serviceRate: number): { pWait: number; meanWaitSeconds: number } | null {
  if (!(servers >= 1) || !(serviceRate > 0) || !(arrivalsPerSecond >= 0) || arrivalsPerSecond >= servers * serviceRate) return null;
  const load = arrivalsPerSecond / serviceRate;
  // Erlang B by its stable recurrence, then C = B / (1 − ρ(1 − B)).
  let blocking = 1;
  for (let k = 1; k <= servers; k++) blocking = (load * blocking) / (k + load * blocking);
  const utilisation = load / servers;
  const pWait = blocking / (1 - utilisation * (1 - blocking));
  return { pWait, meanWaitSeconds: pWait / (servers * serviceRate - arrivalsPerSecond) };
}

const nonNegative = (n: number) => (Number.isFinite(n) && n > 0 ? n : 0);

/** The expected wait in seconds of the visitor at position waitingAhead + 1. */
export function expectedWaitSeconds(state: QueueState): number {
  const ahead = Math.floor(nonNegative(state.waitingAhead));
  const free = Math.floor(nonNegative(state.freeSlots));
  const slots = free + Math.floor(nonNegative(state.busySlots));
  if (ahead < free) return 0;
  const releasesNeeded = ahead - free + 1;
  const meanHandle = nonNegative(state.meanHandleSeconds);
  const serviceRate = meanHandle > 0 ? 1 / meanHandle : 0;
  const modelDefined = erlangC(slots, nonNegative(state.arrivalsPerHour) / 3600, serviceRate) !== null;
  const startsPerSecond = nonNegative(state.recentStartsPerMinute) / 60;
  const ratePerSecond = modelDefined ? slots * serviceRate : startsPerSecond;
  if (!(ratePerSecond > 0)) return MAX_EXPECTED_WAIT_SECONDS;
  return Math.min(MAX_EXPECTED_WAIT_SECONDS, releasesNeeded / ratePerSecond);
}
