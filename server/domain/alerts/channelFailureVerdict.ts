/**
 * Whether a channel failed, and how:
 * - `silent`: it stopped receiving — no inbound post for longer than the larger of `silentMinutes` and
 *   `gapFactor` × its usual gap (the 90th percentile of the gaps between its posts of the past week); a
 *   channel that never received anything has not stopped;
 * - `polling`: its connector's health is failing — `failureCount` polls in a row failed, or one failed
 *   because the credentials were refused;
 * - `sending`: replies fail — at least `failedReplies` replies failed for good in the window.
 * A paused channel is neither silent nor failing to poll (it was stopped on purpose).
 */
export type ChannelFailureParams = { silentMinutes: number; gapFactor: number; failureCount: number; failedReplies: number };
export type ChannelState = {
  paused: boolean;
  lastInboundAt: Date | null;
  usualGapMinutes: number | null;
  /** null: the channel does not poll (webhooks, the API channel) */
  polling: { consecutiveFailures: number; lastErrorKind: string | null } | null;
  failedReplies: number;
};
export type FailureReason = 'silent' | 'polling' | 'sending';

export function silenceLimitMinutes(state: Pick<ChannelState, 'usualGapMinutes'>, p: Pick<ChannelFailureParams, 'silentMinutes' | 'gapFactor'>) {
  return Math.ceil(Math.max(p.silentMinutes, (state.usualGapMinutes ?? 0) * p.gapFactor));
}

export function channelFailureVerdict(state: ChannelState, now: Date, p: ChannelFailureParams) {
  const reasons: FailureReason[] = [];
  const silentFor = state.lastInboundAt ? Math.floor((now.getTime() - state.lastInboundAt.getTime()) / 60_000) : null;
  const limit = silenceLimitMinutes(state, p);
  if (!state.paused && silentFor !== null && silentFor > limit) reasons.push('silent');
  const poll = state.polling;
  if (!state.paused && poll && poll.consecutiveFailures > 0 && (poll.consecutiveFailures >= p.failureCount || poll.lastErrorKind === 'auth'))
    reasons.push('polling');
  if (state.failedReplies >= p.failedReplies) reasons.push('sending');
  return { failing: reasons.length > 0, reasons, silentMinutes: silentFor, limitMinutes: limit };
}
