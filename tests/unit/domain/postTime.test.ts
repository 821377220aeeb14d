import fc from 'fast-check';
import { believablePostTime, MAX_AHEAD_MS, MAX_BEHIND_MS } from '../../../server/domain/conversations/postTime';

const receivedAt = new Date('2026-11-02T08:00:00Z');
const offset = (ms: number) => new Date(receivedAt.getTime() + ms);

describe('which time a post is stored with', () => {
  it.each([
    ['at the receipt', 0],
    ['5 minutes ahead (clock skew)', MAX_AHEAD_MS],
    ['30 days back (a late delivery)', -MAX_BEHIND_MS],
  ])('when the source says %s, then its time is kept and no claim is recorded', (_what, ms) => {
    expect(believablePostTime(offset(ms), receivedAt)).toEqual({ postedAt: offset(ms), claimedPostedAt: null });
  });

  it.each([
    ['5 minutes and 1 ms ahead', offset(MAX_AHEAD_MS + 1), offset(MAX_AHEAD_MS + 1).toISOString()],
    ['30 days and 1 ms back', offset(-MAX_BEHIND_MS - 1), offset(-MAX_BEHIND_MS - 1).toISOString()],
    ['year 9999', new Date('9999-06-01T12:00:00Z'), '9999-06-01T12:00:00.000Z'],
    ['year 0001', new Date('0001-01-01T00:00:00Z'), '0001-01-01T00:00:00.000Z'],
    ['the last instant a Date holds', new Date(8.64e15), '+275760-09-13T00:00:00.000Z'],
    ['no date at all', new Date(Number.NaN), 'Invalid Date'],
  ])('when the source says %s, then the receipt time is used and the claim kept verbatim', (_what, claimed, kept) => {
    expect(believablePostTime(claimed, receivedAt)).toEqual({ postedAt: receivedAt, claimedPostedAt: kept });
  });

  it('when any instant is claimed, then the stored time lies in [receipt − 30 days, receipt + 5 minutes] and a replaced claim is kept', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: false }), (claimed) => {
        const { postedAt, claimedPostedAt } = believablePostTime(claimed, receivedAt);
        expect(postedAt.getTime()).toBeGreaterThanOrEqual(receivedAt.getTime() - MAX_BEHIND_MS);
        expect(postedAt.getTime()).toBeLessThanOrEqual(receivedAt.getTime() + MAX_AHEAD_MS);
        if (claimedPostedAt === null) expect(postedAt).toBe(claimed);
        else expect(postedAt).toBe(receivedAt);
      }),
      { numRuns: 300, seed: 13 },
    );
  });
});
