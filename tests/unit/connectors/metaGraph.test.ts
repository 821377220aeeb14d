/** Reading Meta's usage headers (pure): when to stop calling the Graph API, and for how long. */
import { pauseFromUsage } from '../../../connectors/meta/graph';
import { readMetaDelivery } from '../../../connectors/meta/normalize';

const business = (usage: Record<string, number>) => ({ 'x-business-use-case-usage': JSON.stringify({ '123': [{ type: 'pages', ...usage }] }) });

describe('X-Business-Use-Case-Usage and X-App-Usage', () => {
  it('when every figure is below 90 %, then calls go on', () => {
    expect(pauseFromUsage(business({ call_count: 89, total_cputime: 10, total_time: 5, estimated_time_to_regain_access: 0 }))).toBeNull();
    expect(pauseFromUsage({ 'x-app-usage': JSON.stringify({ call_count: 50, total_cputime: 20, total_time: 30 }) })).toBeNull();
    expect(pauseFromUsage({})).toBeNull();
    expect(pauseFromUsage({ 'x-business-use-case-usage': 'not json' })).toBeNull();
  });

  it('when any figure reaches 90 %, then calls pause for Meta’s time to regain access, at least a minute', () => {
    expect(pauseFromUsage(business({ call_count: 10, total_cputime: 91, total_time: 5 }))).toBe(60_000);
    expect(pauseFromUsage(business({ call_count: 95, estimated_time_to_regain_access: 7 }))).toBe(7 * 60_000);
    expect(pauseFromUsage({ 'x-app-usage': JSON.stringify({ call_count: 100, total_cputime: 1, total_time: 1 }) })).toBe(60_000);
  });

  it('when Meta already names a time to regain access, then calls pause for it even below 90 %', () => {
    expect(pauseFromUsage(business({ call_count: 40, estimated_time_to_regain_access: 3 }))).toBe(3 * 60_000);
  });
});

describe('reading a Meta delivery', () => {
  it('when a delivery holds another object, another page, or unreadable comments, then only what is this page’s and readable is read; the rest is skipped with the reason', () => {
    const body = {
      object: 'page',
      entry: [
        {
          id: '1',
          time: 1_700_000_000,
          changes: [{ field: 'feed', value: { item: 'comment', verb: 'add', comment_id: 'c1', post_id: 'p1', message: 'Hallo' } }],
        },
        { id: '1', changes: [{ field: 'feed', value: { item: 'status', verb: 'add' } }] },
        { id: '2', changes: [{ field: 'feed', value: { item: 'comment', verb: 'add', comment_id: 'c2', post_id: 'p2', from: { id: '9' }, message: 'x' } }] },
        { id: '1', changes: [{ field: 'feed', value: { item: 'comment', verb: 'add', post_id: 'p1' } }] },
      ],
    };
    const read = readMetaDelivery('facebook', 'ch', '1', body)!;
    // c1 has no `from` (Meta leaves it out for people who keep their profile from the app): an anonymous author.
    expect(read.items).toEqual([expect.objectContaining({ externalId: 'c1', text: 'Hallo', author: { externalId: 'anonymous', name: 'Facebook' } })]);
    expect(read.skipped).toEqual([{ externalId: null, reason: expect.stringContaining('comment_id') }]);
    expect(readMetaDelivery('instagram', 'ch', '1', body)).toBeNull();
  });
});
