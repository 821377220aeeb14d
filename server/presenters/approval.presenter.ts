/** Replies waiting for approval → the approvers' queue and the API; a reply's approval → its JSON. */
import type { listPendingApprovals } from '../db/repositories/replyApprovals.repo';
import type { ApprovalState } from '../db/schema';

type PendingRow = Awaited<ReturnType<typeof listPendingApprovals>>[number];

export function presentPendingApproval(r: PendingRow, viewerId: string, now: Date) {
  return {
    messageId: r.messageId,
    conversation: { id: r.conversationId, caseNumber: r.caseNumber },
    channel: { id: r.channelId, name: r.channelName, kind: r.channelKind },
    author: { id: r.requestedBy, name: r.authorName },
    text: r.text,
    requestedAt: r.requestedAt,
    waitingMinutes: Math.max(0, Math.floor((now.getTime() - r.requestedAt.getTime()) / 60_000)),
    slaDueAt: r.responseDueAt,
    overdue: r.responseDueAt !== null && r.responseDueAt <= now,
    /** The viewer wrote it: they see it waiting, but someone else decides. */
    own: r.requestedBy === viewerId,
  };
}

export function presentPendingApprovalJson(r: PendingRow, viewerId: string, now: Date) {
  const p = presentPendingApproval(r, viewerId, now);
  return { ...p, requestedAt: p.requestedAt.toISOString(), slaDueAt: p.slaDueAt?.toISOString() ?? null };
}

export type ApprovalColumns = {
  approvalState: ApprovalState | null;
  approvalRequestedBy: string | null;
  approvalRequestedByName: string | null;
  approvalDecidedBy: string | null;
  approvalDecidedByName: string | null;
  approvalNote: string | null;
  approvalDecidedAt: Date | null;
};

/** A reply's `approval` in the API: null when it never waited for one. */
export function presentApproval(m: ApprovalColumns) {
  if (!m.approvalState) return null;
  return {
    state: m.approvalState,
    requestedBy: { id: m.approvalRequestedBy, name: m.approvalRequestedByName },
    ...(m.approvalDecidedBy ? { decidedBy: { id: m.approvalDecidedBy, name: m.approvalDecidedByName } } : {}),
    ...(m.approvalNote ? { note: m.approvalNote } : {}),
    ...(m.approvalDecidedAt ? { decidedAt: m.approvalDecidedAt.toISOString() } : {}),
  };
}

/** The text of the viewer's reply an approver turned back, when it is the conversation's latest reply: back into their composer to rework. */
export function reworkText(messages: { direction: string; authorUserId: string | null; deliveryState: string | null; text: string }[], viewerId: string) {
  const last = messages.filter((m) => m.direction === 'outbound').at(-1);
  return last && last.deliveryState === 'rejected' && last.authorUserId === viewerId ? last.text : '';
}
