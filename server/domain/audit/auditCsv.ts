/**
 * The audit trail as CSV (RFC 4180, UTF-8 with BOM so spreadsheets pick the encoding). Cells that a
 * spreadsheet would run as a formula (= + - @ tab CR at the start) get a leading apostrophe.
 */
import type { AuditEvent } from '../../db/schema';

const HEADER = ['seq', 'occurred_at', 'actor_type', 'actor_id', 'actor_label', 'ip', 'action', 'subject_type', 'subject_id', 'channel_id', 'before', 'after', 'hash'];

export function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function auditCsvHeader(): string {
  return `\uFEFF${HEADER.join(',')}\r\n`;
}

export function auditCsvRow(e: AuditEvent): string {
  return [
    e.seq, e.occurredAt.toISOString(), e.actorType, e.actorId, e.actorLabel, e.ip, e.action, e.subjectType, e.subjectId,
    e.channelId, e.before, e.after, e.hash,
  ].map(csvCell).join(',') + '\r\n';
}
