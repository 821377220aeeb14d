/**
 * Exporting the audit trail: the filtered events (at most MAX_EXPORT_ROWS, newest first, read page by page
 * with keyset pagination) as CSV, handed to `write` a page at a time at the receiver's pace — never the whole
 * file in memory (100 000 rows are tens of megabytes per export, and several may run at once).
 * The export itself is an audit event (`audit.exported`) with its filters and rows, appended once every row is out.
 */
import type { Db } from '../../db/client';
import { appendAudit, listAudit, type AuditFilter } from '../../db/repositories/audit.repo';
import type { Actor } from './actor';
import { auditCsvHeader, auditCsvRow } from './auditCsv';

export const MAX_EXPORT_ROWS = 100_000;
const PAGE = 2_000;

export async function exportAuditCsv(
  db: Db,
  filter: Omit<AuditFilter, 'limit'>,
  actor: Actor,
  write: (chunk: string) => Promise<void>,
): Promise<{ rows: number }> {
  await write(auditCsvHeader());
  let rows = 0;
  let beforeSeq = filter.beforeSeq;
  while (rows < MAX_EXPORT_ROWS) {
    const page = await listAudit(db, { ...filter, beforeSeq, order: 'desc', limit: Math.min(PAGE, MAX_EXPORT_ROWS - rows) });
    if (page.length) await write(page.map(auditCsvRow).join(''));
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
  return { rows };
}
