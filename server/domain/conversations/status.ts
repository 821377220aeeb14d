/**
 * The conversation state machine. One table says which transitions exist; reopening rules live here too.
 *
 * Reopen rule: a new inbound message on a saved, answered or closed conversation brings it back to
 * `assigned` when it has an assignee (the person who knows the case sees it again), else to `new`.
 */
import type { ConversationStatus } from '../../db/schema';

export const STATUSES: readonly ConversationStatus[] = ['new', 'saved', 'assigned', 'answered', 'closed'];

const ALLOWED: Record<ConversationStatus, readonly ConversationStatus[]> = {
  new: ['assigned', 'saved', 'answered', 'closed'],
  assigned: ['new', 'saved', 'answered', 'closed'],
  saved: ['new', 'assigned', 'answered', 'closed'],
  answered: ['new', 'assigned', 'saved', 'closed'],
  closed: ['new', 'assigned', 'answered'],
};

export function allowedTransitions(from: ConversationStatus): readonly ConversationStatus[] {
  return ALLOWED[from];
}

export function canTransition(from: ConversationStatus, to: ConversationStatus): boolean {
  return ALLOWED[from].includes(to);
}

/** The status after a new inbound message; unchanged for conversations still waiting on us. */
export function statusAfterInbound(current: ConversationStatus, hasAssignee: boolean): ConversationStatus {
  if (current === 'new' || current === 'assigned') return current;
  return hasAssignee ? 'assigned' : 'new';
}

/** Sending a reply marks the conversation answered, from any status. */
export function statusAfterReply(): ConversationStatus {
  return 'answered';
}
