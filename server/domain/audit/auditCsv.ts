/** The audit trail as CSV rows, written by the one CSV writer (domain/csv.ts: BOM, RFC 4180, formula defusing). */
import type { AuditEvent } from '../../db/schema';
import { csvHeader, csvLine } from '../csv';

const HEADER = [
  'seq',
  'occurred_at',
  'actor_type',
  'actor_id',
  'actor_label',
  'ip',
  'action',
  'subject_type',
  'subject_id',
  'channel_id',
  'before',
  'after',
  'hash',
];

export function auditCsvHeader(): string {
  return csvHeader(HEADER);
}

export function auditCsvRow(e: AuditEvent): string {
  return csvLine([
    e.seq,
    e.occurredAt,
    e.actorType,
    e.actorId,
    e.actorLabel,
    e.ip,
    e.action,
    e.subjectType,
    e.subjectId,
    e.channelId,
    e.before as object | null,
    e.after as object | null,
    e.hash,
  ]);
}
