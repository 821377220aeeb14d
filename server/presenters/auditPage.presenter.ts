/** Audit rows → the readable audit page: one sentence each, case links, and the before/after of settings changes. */
import { isSettingsChange } from '../domain/audit/actionGroups';
import { auditSentence, type AuditNames } from '../domain/audit/auditSentence';
import { fieldChanges } from '../domain/audit/fieldChanges';
import type { AuditEvent } from '../db/schema';
import type { Translate } from '../i18n/translate';

export function presentAuditRow(e: AuditEvent, names: AuditNames, t: Translate) {
  const caseNumber = e.subjectType === 'conversation' && e.subjectId ? names.cases.get(e.subjectId) : undefined;
  return {
    seq: e.seq,
    occurredAt: e.occurredAt,
    action: e.action,
    ip: e.ip,
    sentence: auditSentence(e, names, t),
    conversation: caseNumber ? { id: e.subjectId!, caseNumber } : null,
    changes: isSettingsChange(e.action) && (e.before || e.after) ? fieldChanges(e.before, e.after) : null,
  };
}
