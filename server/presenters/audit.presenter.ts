/** Audit rows → API shape. */
import type { AuditEvent } from '../db/schema';

export function presentAuditEvent(e: AuditEvent) {
  return {
    seq: Number(e.seq),
    occurredAt: e.occurredAt.toISOString(),
    actor: { type: e.actorType, id: e.actorId, label: e.actorLabel, ip: e.ip },
    action: e.action,
    subject: { type: e.subjectType, id: e.subjectId },
    channelId: e.channelId,
    before: e.before,
    after: e.after,
    hash: e.hash,
  };
}
