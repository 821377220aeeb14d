/**
 * What a failed poll means for the channel: how it is recorded and when the next poll may run. Pure, so
 * the backoff rules are unit-tested without a database or a connector.
 */
import { AuthFailed, Permanent, RateLimited, type ConnectorError } from '../../../../connectors/types';
import type { PollErrorKind } from '../../../db/schema';

const MAX_BACKOFF_MS = 30 * 60_000;
/** Refused credentials rarely fix themselves: ask again at most every few minutes. */
export const AUTH_RETRY_MS = 5 * 60_000;

/** The wait after the n-th failure in a row: the interval doubled per failure, capped at 30 minutes. */
export function backoffMs(consecutiveFailures: number, intervalMs: number): number {
  return Math.min(intervalMs * 2 ** Math.max(1, consecutiveFailures), MAX_BACKOFF_MS);
}

export type PollFailureDecision = {
  kind: PollErrorKind;
  /** No poll before this instant. */
  nextPollAt: Date;
  /** A rate limit is the remote side's rule, not our failure: it does not add to the failures in a row. */
  countsAsFailure: boolean;
  rateLimit?: { remaining: number; resetAt: Date };
};

/**
 * A rate limit waits for the remote side's reset (or one interval if the reset is already past);
 * refused credentials, permanent and transient errors back off from the failures in a row, refused
 * credentials at least AUTH_RETRY_MS.
 */
export function decideAfterFailure(error: ConnectorError, failuresBefore: number, intervalMs: number, now: Date): PollFailureDecision {
  if (error instanceof RateLimited) {
    const resetAt = error.retryAt > now ? error.retryAt : new Date(now.getTime() + intervalMs);
    return { kind: 'rate_limited', nextPollAt: resetAt, countsAsFailure: false, rateLimit: { remaining: 0, resetAt } };
  }
  const kind: PollErrorKind = error instanceof AuthFailed ? 'auth' : error instanceof Permanent ? 'permanent' : 'transient';
  const backoff = backoffMs(failuresBefore + 1, intervalMs);
  const wait = kind === 'auth' ? Math.max(AUTH_RETRY_MS, backoff) : backoff;
  return { kind, nextPollAt: new Date(now.getTime() + wait), countsAsFailure: true };
}
