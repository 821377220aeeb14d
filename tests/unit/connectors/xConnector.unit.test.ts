/** The pure parts of the X connector and the poll framework: normalizing posts, ids, backoff, health. */
import { backoffMs } from '../../../server/domain/channels/polling/backoff';
import { newerId, normalizeTweet, usersById } from '../../../connectors/x/normalize';
import { maskSecret } from '../../../server/domain/channels/maskCredentials';
import { channelHealthView } from '../../../server/presenters/channelHealth.presenter';

const users = usersById([{ id: '11', name: 'Erika', username: 'erika_m', profile_image_url: 'https://pbs.twimg.com/a.jpg' }, { bogus: true }]);

describe('normalizeTweet', () => {
  it('when a reply with a long note_tweet arrives, then the full text, the parent id, the author identity and the post URL are kept', () => {
    const long = 'ü'.repeat(900);
    const n = normalizeTweet(
      'ch',
      {
        id: '200',
        text: long.slice(0, 280),
        note_tweet: { text: long },
        author_id: '11',
        created_at: '2026-11-23T10:00:00.000Z',
        referenced_tweets: [
          { type: 'quoted', id: '5' },
          { type: 'replied_to', id: '150' },
        ],
      },
      users,
      'topic-1',
    );
    expect(n.ok && n.item).toMatchObject({
      externalId: '200',
      text: long,
      inReplyToExternalId: '150',
      topicId: 'topic-1',
      url: 'https://x.com/erika_m/status/200',
      author: { externalId: '11', name: 'Erika', handle: 'erika_m', avatarUrl: 'https://pbs.twimg.com/a.jpg' },
    });
    expect(n.ok && n.item.postedAt.toISOString()).toBe('2026-11-23T10:00:00.000Z');
  });

  it('when the author is missing from includes, then the post is kept under a readable placeholder name', () => {
    const n = normalizeTweet('ch', { id: '201', text: 'hi', author_id: '99' }, users);
    expect(n.ok && n.item.author).toEqual({ externalId: '99', name: 'X user 99', handle: null, avatarUrl: null });
    expect(n.ok && n.item.url).toBe('https://x.com/i/web/status/201');
  });

  it('when a post lacks its id or text, then it comes back as a reason to skip, naming the field', () => {
    const n = normalizeTweet('ch', { id: 'abc', author_id: '11' }, users);
    expect(n.ok).toBe(false);
    expect(!n.ok && n.reason).toMatch(/id/);
    expect(!n.ok && n.reason).toMatch(/text/);
    expect(normalizeTweet('ch', null, users).ok).toBe(false);
  });
});

describe('ids, backoff and secrets', () => {
  it('when snowflake ids of different lengths are compared, then the numerically larger wins', () => {
    expect(newerId('999', '1000')).toBe('1000');
    expect(newerId(null, '5')).toBe('5');
    expect(newerId('7', null)).toBe('7');
  });

  it('when failures repeat, then the wait doubles from twice the interval and stops at 30 minutes', () => {
    expect([1, 2, 3].map((n) => backoffMs(n, 10_000))).toEqual([20_000, 40_000, 80_000]);
    expect(backoffMs(20, 60_000)).toBe(30 * 60_000);
  });

  it('when a secret is masked, then only its last four characters remain', () => {
    expect(maskSecret('AAAAbearer-1234')).toBe('••••1234');
    expect(maskSecret('abc')).toBe('••••');
    expect(maskSecret(undefined)).toBe('');
  });
});

describe('channelHealthView', () => {
  const base = {
    paused: false,
    lastSuccessAt: null,
    lastErrorAt: null,
    lastErrorKind: null,
    lastError: null,
    nextPollAt: null,
    consecutiveFailures: 0,
    itemsFetched: '0',
    rateLimitRemaining: null,
    rateLimitResetAt: null,
    pollIntervalSeconds: 60,
  };
  const now = new Date('2026-11-23T12:00:00Z');
  const earlier = new Date('2026-11-23T11:00:00Z');
  const later = new Date('2026-11-23T12:10:00Z');

  it('when the channel has never been fetched, then it is pending; after a success it is ok', () => {
    expect(channelHealthView(base, now).status).toBe('pending');
    expect(channelHealthView({ ...base, lastSuccessAt: earlier }, now).status).toBe('ok');
  });

  it('when the last error is newer than the last success, then its kind decides the status; paused wins over all', () => {
    const failed = { ...base, lastSuccessAt: earlier, lastErrorAt: now };
    expect(channelHealthView({ ...failed, lastErrorKind: 'auth' }, now).status).toBe('credentials_refused');
    expect(channelHealthView({ ...failed, lastErrorKind: 'transient', nextPollAt: later }, now)).toMatchObject({ status: 'failing', waitingUntil: later });
    expect(channelHealthView({ ...failed, lastErrorKind: 'rate_limited', nextPollAt: later }, now).status).toBe('rate_limited');
    expect(channelHealthView({ ...failed, lastErrorKind: 'rate_limited', nextPollAt: earlier }, now).status).toBe('ok');
    expect(channelHealthView({ ...failed, lastErrorKind: 'auth', paused: true }, now).status).toBe('paused');
  });

  it('when a success came after the error, then the channel is ok again', () => {
    expect(channelHealthView({ ...base, lastErrorAt: earlier, lastErrorKind: 'auth', lastSuccessAt: now }, now).status).toBe('ok');
  });
});
