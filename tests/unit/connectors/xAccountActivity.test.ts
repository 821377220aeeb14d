/** X's Account Activity webhook, pure parts: the CRC answer, the signature check, and events read like polled posts. */
import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { activityEventsFor, answerCrc, readActivity, xSignatureMatches } from '../../../connectors/x/accountActivity';
import { normalizeDmEvent, normalizeTweet, usersById } from '../../../connectors/x/normalize';

const SECRET = 'consumer-secret';
const sign = (secret: string, data: string) => `sha256=${createHmac('sha256', secret).update(data).digest('base64')}`;

describe('the CRC answer', () => {
  it("when X sends a crc_token, then the response token is sha256= + base64 HMAC-SHA256 with the app's consumer secret", () => {
    const identity = { address: '1', signingSecret: SECRET };
    expect(answerCrc({ crc_token: 'abc', nonce: 'n' }, [identity, { ...identity, address: '2' }])).toEqual({ json: { response_token: sign(SECRET, 'abc') } });
  });

  it('when no channel is in webhook mode, the token is missing, or the channels hold different secrets, then there is no answer', () => {
    expect(answerCrc({ crc_token: 'abc' }, [])).toBeNull();
    expect(answerCrc({}, [{ address: '1', signingSecret: SECRET }])).toBeNull();
    expect(
      answerCrc({ crc_token: 'abc' }, [
        { address: '1', signingSecret: SECRET },
        { address: '2', signingSecret: 'other' },
      ]),
    ).toBeNull();
  });
});

describe('the signature over a delivery', () => {
  it('when body, secret and header agree, then it matches; any other secret or body does not', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string({ minLength: 1 }), (body, other, secret) => {
        const header = sign(secret, body);
        expect(xSignatureMatches(secret, Buffer.from(body), header)).toBe(true);
        if (other !== body) expect(xSignatureMatches(secret, Buffer.from(other), header)).toBe(false);
        if (secret !== SECRET) expect(xSignatureMatches(SECRET, Buffer.from(body), header)).toBe(false);
      }),
    );
  });

  it('when the header is missing or not of the form sha256=<base64>, then it never matches', () => {
    const hex = `sha256=${createHmac('sha256', SECRET).update('{}').digest('hex')}`;
    for (const header of [undefined, '', 'sha256=', hex, sign(SECRET, '{}').replace('sha256=', '')]) {
      expect(xSignatureMatches(SECRET, Buffer.from('{}'), header)).toBe(false);
    }
  });
});

const v1Tweet = (id: string, authorId: string, text: string, extra: Record<string, unknown> = {}) => ({
  created_at: 'Wed Oct 10 20:19:24 +0000 2018',
  id: Number(id),
  id_str: id,
  text,
  user: { id: Number(authorId), id_str: authorId, name: 'Erika', screen_name: 'erika_m', profile_image_url_https: 'https://pbs.twimg.com/e.jpg' },
  ...extra,
});

describe('reading a delivery', () => {
  it('when a tweet arrives by webhook, then it becomes the same post the poller makes of the same tweet (v2)', () => {
    const ids = fc.bigInt({ min: 1n, max: 10n ** 19n }).map(String);
    fc.assert(
      fc.property(ids, ids, fc.string(), fc.option(ids, { nil: null }), (id, authorId, text, parent) => {
        fc.pre(authorId !== '42');
        const read = readActivity('ch', '42', {
          for_user_id: '42',
          tweet_create_events: [v1Tweet(id, authorId, text, { in_reply_to_status_id_str: parent })],
        });
        const polled = normalizeTweet(
          'ch',
          {
            id,
            text,
            author_id: authorId,
            created_at: '2018-10-10T20:19:24.000Z',
            ...(parent ? { referenced_tweets: [{ type: 'replied_to', id: parent }] } : {}),
          },
          usersById([{ id: authorId, name: 'Erika', username: 'erika_m', profile_image_url: 'https://pbs.twimg.com/e.jpg' }]),
        );
        expect(polled.ok).toBe(true);
        const item = read!.items[0]!;
        const expected = polled.ok ? polled.item : null;
        expect({ ...item, raw: null }).toEqual({ ...expected, raw: null });
      }),
    );
  });

  it('when a long tweet arrives, then its extended_tweet full text is kept', () => {
    const long = 'ü'.repeat(600);
    const read = readActivity('ch', '42', {
      for_user_id: '42',
      tweet_create_events: [v1Tweet('7', '9', long.slice(0, 280), { extended_tweet: { full_text: long } })],
    });
    expect(read!.items[0]!.text).toBe(long);
  });

  it("when a DM arrives, then it becomes the poller's DM post (dm:<id>, the sender from users{}); the account's own DMs and tweets are left out", () => {
    const body = {
      for_user_id: '42',
      tweet_create_events: [v1Tweet('8', '42', 'our own post')],
      direct_message_events: [
        {
          type: 'message_create',
          id: '900',
          created_timestamp: '1517359293868',
          message_create: { sender_id: '77', target: { recipient_id: '42' }, message_data: { text: 'Hallo' } },
        },
        {
          type: 'message_create',
          id: '901',
          created_timestamp: '1517359299999',
          message_create: { sender_id: '42', target: { recipient_id: '77' }, message_data: { text: 'Hi' } },
        },
      ],
      users: { '77': { id: '77', name: 'Max', screen_name: 'max_m', profile_image_url_https: 'https://pbs.twimg.com/m.jpg' } },
    };
    const read = readActivity('ch', '42', body)!;
    const polled = normalizeDmEvent(
      'ch',
      '42',
      { id: '900', event_type: 'MessageCreate', text: 'Hallo', sender_id: '77', created_at: new Date(1517359293868).toISOString() },
      usersById([{ id: '77', name: 'Max', username: 'max_m', profile_image_url: 'https://pbs.twimg.com/m.jpg' }]),
    );
    expect(read.items.map((i) => ({ ...i, raw: null }))).toEqual([polled.ok === true ? { ...polled.item, raw: null } : null]);
    expect(read.skipped).toEqual([]);
    expect(activityEventsFor(body, '42')).toBe(3);
    expect(activityEventsFor(body, '43')).toBe(0);
  });

  it('when an event cannot be read, then it is skipped with a reason and the others still count; a body without for_user_id is no delivery', () => {
    const read = readActivity('ch', '42', { for_user_id: '42', tweet_create_events: [{ id_str: '5' }, v1Tweet('6', '9', 'ok')], favorite_events: [{}] })!;
    expect(read.items.map((i) => i.externalId)).toEqual(['6']);
    expect(read.skipped).toEqual([{ externalId: '5', reason: expect.stringContaining('tweet_create_event') }]);
    expect(readActivity('ch', '42', { tweet_create_events: [] })).toBeNull();
  });
});
