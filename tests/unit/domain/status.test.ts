/** The conversation state machine: the transitions table, written out here on purpose, and the reopen rule. */
import type { ConversationStatus } from '../../../server/db/schema';
import { allowedTransitions, canTransition, STATUSES, statusAfterInbound, statusAfterReply } from '../../../server/domain/conversations/status';

// from → to: true where the design allows the transition. Read row by row.
const TABLE: Record<ConversationStatus, Record<ConversationStatus, boolean>> = {
  new: { new: false, saved: true, assigned: true, answered: true, closed: true },
  saved: { new: true, saved: false, assigned: true, answered: true, closed: true },
  assigned: { new: true, saved: true, assigned: false, answered: true, closed: true },
  answered: { new: true, saved: true, assigned: true, answered: false, closed: true },
  closed: { new: true, saved: false, assigned: true, answered: true, closed: false },
};

describe('conversation status transitions', () => {
  it('when the statuses are listed, then they are exactly the five of the design', () => {
    expect([...STATUSES].sort()).toEqual(['answered', 'assigned', 'closed', 'new', 'saved']);
  });

  const pairs = STATUSES.flatMap((from) => STATUSES.map((to) => [from, to, TABLE[from][to]] as const));
  it.each(pairs)('when moving from %s to %s, then canTransition says %s', (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
    expect(allowedTransitions(from).includes(to)).toBe(allowed);
  });

  it('when a status moves to itself, then it is not a transition', () => {
    for (const s of STATUSES) expect(canTransition(s, s)).toBe(false);
  });

  it('when a conversation is closed, then it cannot be parked as saved without reopening it first', () => {
    expect(canTransition('closed', 'saved')).toBe(false);
    expect(canTransition('closed', 'new')).toBe(true);
  });
});

describe('reopen rule and reply rule', () => {
  it.each([
    ['new', false, 'new'],
    ['new', true, 'new'],
    ['assigned', true, 'assigned'],
    ['assigned', false, 'assigned'],
    ['saved', true, 'assigned'],
    ['saved', false, 'new'],
    ['answered', true, 'assigned'],
    ['answered', false, 'new'],
    ['closed', true, 'assigned'],
    ['closed', false, 'new'],
  ] as const)('when a message arrives on a %s conversation (assignee: %s), then it becomes %s', (current, hasAssignee, expected) => {
    expect(statusAfterInbound(current, hasAssignee)).toBe(expected);
  });

  it('when the reopen rule picks a status, then that status is reachable from the old one by the table', () => {
    for (const s of STATUSES) {
      for (const hasAssignee of [true, false]) {
        const next = statusAfterInbound(s, hasAssignee);
        if (next !== s) expect(canTransition(s, next)).toBe(true);
      }
    }
  });

  it('when a reply is sent, then the conversation is answered, and every status but answered may move there', () => {
    expect(statusAfterReply()).toBe('answered');
    for (const s of STATUSES) if (s !== 'answered') expect(canTransition(s, 'answered')).toBe(true);
  });
});
