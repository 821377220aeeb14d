/**
 * Exporting the audit trail: the filtered events (at most MAX_EXPORT_ROWS, newest first, read page by page
 * with keyset pagination) as CSV. The export itself is an audit event (`audit.exported`) with its filters.
 */
import type { Db } from '../../db/client';
import { appendAudit, listAudit, type AuditFilter } from '../../db/repositories/audit.repo';
import type { Actor } from './actor';
import { auditCsvHeader, auditCsvRow } from './auditCsv';

export const MAX_EXPORT_ROWS = 100_000;
const PAGE = 2_000;

export async function exportAuditCsv(db: Db, filter: Omit<AuditFilter, 'limit'>, actor: Actor): Promise<{ csv: string; rows: number }> {
  let csv = auditCsvHeader();
  let rows = 0;
  let beforeSeq = filter.beforeSeq;
  while (rows < MAX_EXPORT_ROWS) {
    const page = await listAudit(db, { ...filter, beforeSeq, order: 'desc', limit: Math.min(PAGE, MAX_EXPORT_ROWS - rows) });
    for (const e of page) csv += auditCsvRow(e);
    rows += page.length;
    if (page.length < PAGE) break;
    beforeSeq = page.at(-1)!.seq;
  }
  const filters = Object.fromEntries(
    Object.entries(filter)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]),
  );
  await appendAudit(db, { actor, action: 'audit.exported', subjectType: 'audit', subjectId: null, after: { filters, rows, format: 'csv' } });
  return { csv, rows };
}
