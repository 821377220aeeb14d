/** The visitor side's pure rules: how many invitations a site may hold, queue positions and waits, origin matching, invitation rules, visitor tokens. */
import { createHash } from 'node:crypto';
import { hashToken, newToken } from '../../../server/crypto/tokens';
import { invitationsHoldable } from '../../../server/domain/webchat/invitations';
import { inviteAfterSeconds } from '../../../server/domain/webchat/invitationRules';
import { normalOrigin, originAllowed } from '../../../server/domain/webchat/origins';
import { queueViews } from '../../../server/domain/webchat/queue';
import { VISITOR_TOKEN_PREFIX } from '../../../server/domain/webchat/startChat';

describe('invitations held against free slots', () => {
  it.each([
    [9, 0, 0, 9],
    [9, 0, 9, 0],
    [9, 2, 5, 2],
    [9, 4, 8, 0],
    [0, 0, 0, 0],
    [3, 5, 0, 0],
  ])('when %i slots are free, %i chats wait for routing and %i invitations are out, then %i more may be held', (free, waiting, out, holdable) => {
    expect(invitationsHoldable(free, waiting, out)).toBe(holdable);
  });

  it('when visitors ask one after the other, then the outstanding invitations never exceed the free slots', () => {
    let outstanding = 0;
    for (let i = 0; i < 30; i++) if (invitationsHoldable(9, 0, outstanding) > 0) outstanding++;
    expect(outstanding).toBe(9);
  });
});

describe('queue positions and waits', () => {
  const state = { waitingAhead: 0, freeSlots: 1, busySlots: 5, arrivalsPerHour: 0, meanHandleSeconds: 0, recentStartsPerMinute: 1 };
  it('when chats wait, then positions follow the order; a ringing chat waits for nobody and is not counted ahead of the unassigned', () => {
    const views = queueViews(
      [
        { conversationId: 'ringing', unassigned: false },
        { conversationId: 'a', unassigned: true },
        { conversationId: 'b', unassigned: true },
        { conversationId: 'c', unassigned: true },
      ],
      state,
    );
    expect([...views.entries()]).toEqual([
      ['ringing', { position: 1, expectedWaitSeconds: 0 }],
      ['a', { position: 2, expectedWaitSeconds: 0 }], // the one free slot is theirs
      ['b', { position: 3, expectedWaitSeconds: 60 }], // one start to wait for at one start per minute
      ['c', { position: 4, expectedWaitSeconds: 120 }],
    ]);
  });
  it('when nobody waits, then there are no positions', () => {
    expect(queueViews([], state).size).toBe(0);
  });
});

describe('origins', () => {
  it.each([
    ['https://shop.example', true],
    ['https://Shop.Example:443', true],
    ['https://shop.example/', true],
    ['http://shop.example', false],
    ['https://shop.example:8443', false],
    ['https://evil.example', false],
    ['https://shop.example.evil.example', false],
    ['null', false],
    ['', false],
  ])('when the request comes from %j, then allowed is %s', (origin, allowed) => {
    expect(originAllowed(['https://shop.example', 'https://www.shop.example'], origin)).toBe(allowed);
  });
  it('when a site lists nothing or a listed origin is not a web origin, then nothing matches it', () => {
    expect(originAllowed([], 'https://shop.example')).toBe(false);
    expect(normalOrigin('file:///etc/passwd')).toBeNull();
    expect(normalOrigin('javascript:alert(1)')).toBeNull();
  });
});

describe('invitation rules', () => {
  const rules = [
    { urlPattern: '/checkout*', afterSeconds: 30 },
    { urlPattern: 'https://shop.example/help/*', afterSeconds: 5 },
    { urlPattern: '/*', afterSeconds: 90 },
  ];
  it.each([
    ['https://shop.example/checkout/step-2?x=1', 30],
    ['/checkout', 30],
    ['https://shop.example/help/returns', 5],
    ['https://shop.example/', 90],
    ['/a.b(c)', 90],
  ])('when the page is %s, then the first matching rule says %i seconds', (page, seconds) => {
    expect(inviteAfterSeconds(rules, page)).toBe(seconds);
  });
  it('when no rule matches or no page is known, then null; pattern characters other than * are literal', () => {
    expect(inviteAfterSeconds([{ urlPattern: '/a.c', afterSeconds: 1 }], '/abc')).toBeNull();
    expect(inviteAfterSeconds(rules, null)).toBeNull();
    expect(inviteAfterSeconds([], '/checkout')).toBeNull();
  });
});

describe('visitor tokens', () => {
  it('when a token is made, then it is random with the visitor prefix and only its SHA-256 is stored', () => {
    const a = newToken(VISITOR_TOKEN_PREFIX);
    const b = newToken(VISITOR_TOKEN_PREFIX);
    expect(a).toMatch(/^rlv_[A-Za-z0-9_-]{32}$/);
    expect(a).not.toBe(b);
    expect(hashToken(a)).toBe(createHash('sha256').update(a).digest('hex'));
    expect(hashToken(a)).not.toContain(a);
  });
});
