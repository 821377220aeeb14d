/** What a failed poll means for the channel (server/domain/channels/polling/backoff.ts), without a database. */
import { AuthFailed, Permanent, RateLimited, Transient } from '../../../../connectors/types';
import { AUTH_RETRY_MS, decideAfterFailure } from '../../../../server/domain/channels/polling/backoff';

const now = new Date('2026-11-23T10:00:00.000Z');
const after = (ms: number) => new Date(now.getTime() + ms);

describe('decideAfterFailure', () => {
  it('when the channel answers 429 with a reset ahead, then the next poll waits for the reset, shows no calls left and counts no failure', () => {
    const reset = after(7 * 60_000);
    expect(decideAfterFailure(new RateLimited('slow down', reset), 3, 60_000, now)).toEqual({
      kind: 'rate_limited',
      nextPollAt: reset,
      countsAsFailure: false,
      rateLimit: { remaining: 0, resetAt: reset },
    });
  });

  it('when the reset of a 429 is already past, then the next poll waits one interval', () => {
    expect(decideAfterFailure(new RateLimited('slow down', after(-1000)), 0, 60_000, now)).toMatchObject({
      nextPollAt: after(60_000),
      rateLimit: { resetAt: after(60_000) },
    });
  });

  it('when a transient or permanent error repeats, then the wait doubles from the failures before it and counts as a failure', () => {
    expect(decideAfterFailure(new Transient('timeout'), 0, 10_000, now)).toEqual({ kind: 'transient', nextPollAt: after(20_000), countsAsFailure: true });
    expect(decideAfterFailure(new Transient('timeout'), 2, 10_000, now).nextPollAt).toEqual(after(80_000));
    expect(decideAfterFailure(new Permanent('bad request'), 1, 10_000, now)).toEqual({ kind: 'permanent', nextPollAt: after(40_000), countsAsFailure: true });
    expect(decideAfterFailure(new Transient('timeout'), 40, 60_000, now).nextPollAt).toEqual(after(30 * 60_000));
  });

  it('when credentials are refused, then the next poll waits at least the auth retry time, longer once the backoff is longer', () => {
    expect(decideAfterFailure(new AuthFailed('401'), 0, 5_000, now)).toEqual({ kind: 'auth', nextPollAt: after(AUTH_RETRY_MS), countsAsFailure: true });
    expect(decideAfterFailure(new AuthFailed('401'), 5, 60_000, now).nextPollAt).toEqual(after(30 * 60_000));
  });
});
