/**
 * Who may change a conversation's status or assignment, and what assignment does to the status.
 * Agents and managers work conversations; auditors and admins only read them. Every transition
 * must also be in the state machine (status.ts), and `assigned` needs an assignee.
 */
import type { ConversationStatus, Role } from '../../db/schema';
import { can } from '../auth/permissions';
import { allowedTransitions, canTransition, statusAfterInbound } from './status';

export type TransitionVerdict =
  | { ok: true }
  | { ok: false; reason: 'role' }
  | { ok: false; reason: 'transition'; allowed: readonly ConversationStatus[] }
  | { ok: false; reason: 'needs_assignee' };

export function mayWorkConversations(role: Role): boolean {
  return can(role, 'conversation.work');
}

export function checkTransition(role: Role, from: ConversationStatus, to: ConversationStatus, hasAssignee: boolean): TransitionVerdict {
  if (!mayWorkConversations(role)) return { ok: false, reason: 'role' };
  if (!canTransition(from, to)) return { ok: false, reason: 'transition', allowed: allowedTransitions(from) };
  if (to === 'assigned' && !hasAssignee) return { ok: false, reason: 'needs_assignee' };
  return { ok: true };
}

/** Reopening by hand follows the same rule as a new inbound message: `assigned` if someone owns it, else `new`. */
export function reopenStatus(hasAssignee: boolean): ConversationStatus {
  return statusAfterInbound('closed', hasAssignee);
}

/**
 * Assigning someone moves a `new` conversation to `assigned`; unassigning moves `assigned` back to
 * `new`. Saved, answered and closed conversations keep their status.
 */
export function statusAfterAssignment(current: ConversationStatus, assigneeId: string | null): ConversationStatus {
  if (assigneeId && current === 'new') return 'assigned';
  if (!assigneeId && current === 'assigned') return 'new';
  return current;
}
