/**
 * audit:verify — recomputes the whole audit hash chain (full mode) and records the result as a
 * checkpoint, as the scheduled runs do; exit code 1 names the first broken link (and alerts admins and auditors).
 */
import { z } from 'zod';
import { countAuditEvents } from '../../db/repositories/auditVerifications.repo';
import { verifyPersonalValues } from '../../domain/audit/verifyAudit';
import { verifyAuditTrail } from '../../domain/audit/verifyAuditTrail';
import { defineCommand } from '../command';
import { withDb } from '../withDb';

export const auditVerify = defineCommand({
  summary: 'Check that the audit trail has no gaps or edits (all events, from the first)',
  usage: '',
  flags: z.object({}),
  run: (_flags, { config }) =>
    withDb(config, async (db) => {
      const events = await countAuditEvents(db); // before the run: a break it finds is itself audited
      const v = await verifyAuditTrail(db, null, { mode: 'full', trigger: 'cli' });
      if (!v.ok) return { ok: false as const, events, brokenAtSeq: v.brokenAtSeq!, problem: v.problem! };
      // then the personal values beside the chain (docs/audit-and-erasure.md)
      const values = await verifyPersonalValues(db);
      return values.ok ? { ok: true as const, events } : { ...values, events };
    }),
  describe: (v) =>
    v.ok
      ? `Audit trail intact: ${v.events} events, hash chain verified.`
      : 'brokenAtSeq' in v
        ? `Audit trail BROKEN at event #${v.brokenAtSeq}: ${v.problem} (${v.events} events checked).`
        : `Audit trail BROKEN: personal value ${v.alteredPersonalValue}: ${v.problem} (${v.events} events checked).`,
  exitCode: (v) => (v.ok ? 0 : 1),
});
