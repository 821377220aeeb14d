/** Reply approval (four-eyes): who must wait, who may approve what, the own-reply refusal and the decision's states. */
import fc from 'fast-check';
import type { ApprovalState, Role } from '../../../server/db/schema';
import { approvalNeeded, assertDecidable, assertMayDecide, canDecide, isApprover } from '../../../server/domain/replies/approvalPolicy';
import { reworkText } from '../../../server/presenters/approval.presenter';
import { Conflict, Forbidden, type HttpError } from '../../../server/errors';

const ROLES: Role[] = ['agent', 'manager', 'auditor', 'admin'];
const person = (role: Role, flags: Partial<{ mayApproveReplies: boolean; repliesNeedApproval: boolean }> = {}, id = 'u1') => ({
  id,
  role,
  mayApproveReplies: flags.mayApproveReplies ?? false,
  repliesNeedApproval: flags.repliesNeedApproval ?? false,
});
const refusal = (fn: () => void): HttpError | null => {
  try {
    fn();
    return null;
  } catch (err) {
    return err as HttpError;
  }
};

describe('who approves', () => {
  it.each([
    ['agent', false, false],
    ['agent', true, true],
    ['manager', false, true],
    ['manager', true, true],
    // roles that never reply never approve, whatever the flag says
    ['auditor', true, false],
    ['admin', true, false],
    ['admin', false, false],
  ] as const)('when a %s (named to approve: %s) asks, then isApprover says %s', (role, named, expected) => {
    expect(isApprover(person(role, { mayApproveReplies: named }))).toBe(expected);
  });
});

describe('which replies wait', () => {
  const open = { repliesNeedApproval: false };
  const guarded = { repliesNeedApproval: true };

  it('when neither the author nor the channel needs approval, then the reply goes out at once', () => {
    expect(approvalNeeded(person('agent'), open, { template: false })).toBeNull();
  });
  it("when the author's replies need approval, then it waits, on any channel and even for a manager", () => {
    expect(approvalNeeded(person('agent', { repliesNeedApproval: true }), open, { template: false })).toBe('author');
    expect(approvalNeeded(person('manager', { repliesNeedApproval: true }), guarded, { template: false })).toBe('author');
  });
  it("when the channel's replies need approval, then a junior's reply waits, an approver's does not", () => {
    expect(approvalNeeded(person('agent'), guarded, { template: false })).toBe('channel');
    expect(approvalNeeded(person('agent', { mayApproveReplies: true }), guarded, { template: false })).toBeNull();
    expect(approvalNeeded(person('manager'), guarded, { template: false })).toBeNull();
  });
  it('when the reply is an approved template, then it never waits', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ROLES), fc.boolean(), fc.boolean(), fc.boolean(), (role, needs, may, channel) => {
        expect(
          approvalNeeded(person(role, { repliesNeedApproval: needs, mayApproveReplies: may }), { repliesNeedApproval: channel }, { template: true }),
        ).toBeNull();
      }),
    );
  });
  it('when anything needs approval for a free-text reply, then it waits unless an approver writes on a guarded channel only', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ROLES), fc.boolean(), fc.boolean(), fc.boolean(), (role, needs, may, channel) => {
        const author = person(role, { repliesNeedApproval: needs, mayApproveReplies: may });
        const waits = approvalNeeded(author, { repliesNeedApproval: channel }, { template: false }) !== null;
        expect(waits).toBe(needs || (channel && !isApprover(author)));
      }),
    );
  });
});

describe('deciding', () => {
  it('when someone who is no approver decides, then 403 says who may', () => {
    const err = refusal(() => assertMayDecide(person('agent', {}, 'approver'), 'author'));
    expect(err).toBeInstanceOf(Forbidden);
    expect(err?.message).toMatch(/Only managers and people allowed to approve/);
    expect(err?.shown?.key).toBe('approval.notApprover');
  });
  it('when an approver decides on their own reply, then 403 says that someone else must (four eyes)', () => {
    for (const approver of [person('manager', {}, 'same'), person('agent', { mayApproveReplies: true }, 'same')]) {
      const err = refusal(() => assertMayDecide(approver, 'same'));
      expect(err).toBeInstanceOf(Forbidden);
      expect(err?.message).toMatch(/You wrote this reply: someone else has to approve or reject it/);
      expect(err?.shown?.key).toBe('approval.ownReply');
    }
  });
  it("when an approver decides on someone else's reply, then nothing is refused", () => {
    expect(refusal(() => assertMayDecide(person('manager', {}, 'lead'), 'junior'))).toBeNull();
    expect(refusal(() => assertMayDecide(person('agent', { mayApproveReplies: true }, 'senior'), 'junior'))).toBeNull();
  });

  const STATES: ApprovalState[] = ['pending', 'approved', 'rejected'];
  const TABLE: Record<ApprovalState, Record<ApprovalState, boolean>> = {
    pending: { pending: false, approved: true, rejected: true },
    approved: { pending: false, approved: false, rejected: false },
    rejected: { pending: false, approved: false, rejected: false },
  };
  const pairs = STATES.flatMap((from) => STATES.map((to) => [from, to, TABLE[from][to]] as const));
  it.each(pairs)('when an approval moves from %s to %s, then canDecide says %s', (from, to, allowed) => {
    expect(canDecide(from, to)).toBe(allowed);
    expect(refusal(() => assertDecidable(from, to)) === null).toBe(allowed);
  });
  it('when a decided or never-waiting reply is decided on, then 409 names why', () => {
    expect(refusal(() => assertDecidable('approved', 'rejected'))?.shown?.key).toBe('approval.alreadyApproved');
    expect(refusal(() => assertDecidable('rejected', 'approved'))?.shown?.key).toBe('approval.alreadyRejected');
    const never = refusal(() => assertDecidable(null, 'approved'));
    expect(never).toBeInstanceOf(Conflict);
    expect(never?.shown?.key).toBe('approval.notPending');
  });
});

describe('reworking a rejected reply', () => {
  const msg = (direction: string, authorUserId: string | null, deliveryState: string | null, text: string) => ({
    direction,
    authorUserId,
    deliveryState,
    text,
  });
  it("when the author's latest reply was rejected, then its text goes back into their reply box", () => {
    const thread = [msg('inbound', null, null, 'Hilfe'), msg('outbound', 'junior', 'rejected', 'Erster Entwurf'), msg('note', 'lead', null, 'Notiz')];
    expect(reworkText(thread, 'junior')).toBe('Erster Entwurf');
    expect(reworkText(thread, 'lead')).toBe('');
  });
  it('when a later reply followed the rejected one, then the box stays empty', () => {
    const thread = [msg('outbound', 'junior', 'rejected', 'Erster Entwurf'), msg('outbound', 'junior', 'pending_approval', 'Zweiter Entwurf')];
    expect(reworkText(thread, 'junior')).toBe('');
  });
});
