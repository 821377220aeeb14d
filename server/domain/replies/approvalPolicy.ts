/**
 * Reply approval (four-eyes), the rules. A reply waits for an approver when its author's replies need
 * approval, or when the channel's do and the author is not an approver themselves (a team lead answering on
 * a guarded channel is the second pair of eyes already). Template replies are pre-approved texts and never
 * wait. Approvers are managers and the people named to approve (an agent with "may approve replies"); nobody
 * decides on their own reply. A decision is made once: pending → approved | rejected. Pure, unit-tested.
 */
import type { ApprovalState, Role } from '../../db/schema';
import { Conflict, Forbidden } from '../../errors';
import { can } from '../auth/permissions';

export type ApprovalPerson = { id: string; role: Role; mayApproveReplies: boolean };
export type ApprovalReason = 'author' | 'channel';

export function isApprover(person: Pick<ApprovalPerson, 'role' | 'mayApproveReplies'>): boolean {
  if (!can(person.role, 'conversation.reply')) return false;
  return person.role === 'manager' || person.mayApproveReplies;
}

/** Why a reply must wait for an approver, or null when it goes out at once. */
export function approvalNeeded(
  author: ApprovalPerson & { repliesNeedApproval: boolean },
  channel: { repliesNeedApproval: boolean },
  reply: { template: boolean },
): ApprovalReason | null {
  if (reply.template) return null;
  if (author.repliesNeedApproval) return 'author';
  if (channel.repliesNeedApproval && !isApprover(author)) return 'channel';
  return null;
}

/** Refuses (403, the reason in words) a person who is no approver. */
export function assertApprover(person: Pick<ApprovalPerson, 'role' | 'mayApproveReplies'>): void {
  if (!isApprover(person)) {
    throw new Forbidden('Only managers and people allowed to approve replies decide on replies waiting for approval').showing('approval.notApprover');
  }
}

/** Refuses (403, the reason in words) a person who may not decide on this reply. */
export function assertMayDecide(approver: ApprovalPerson, authorId: string): void {
  assertApprover(approver);
  if (approver.id === authorId) {
    throw new Forbidden('You wrote this reply: someone else has to approve or reject it (four-eyes principle)').showing('approval.ownReply');
  }
}

const NEXT: Record<ApprovalState, readonly ApprovalState[]> = { pending: ['approved', 'rejected'], approved: [], rejected: [] };

export function canDecide(from: ApprovalState, to: ApprovalState): boolean {
  return NEXT[from].includes(to);
}

/** Refuses (409) a decision on a reply that is not waiting any more (decided meanwhile by someone else). */
export function assertDecidable(from: ApprovalState | null, to: ApprovalState): void {
  if (from === null) throw new Conflict('This reply does not wait for approval').showing('approval.notPending');
  if (!canDecide(from, to))
    throw new Conflict(`This reply was already ${from}`).showing(from === 'approved' ? 'approval.alreadyApproved' : 'approval.alreadyRejected');
}
