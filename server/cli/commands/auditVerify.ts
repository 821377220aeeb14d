/** audit:verify — recomputes the audit hash chain; exit code 1 names the first broken link. */
import { z } from 'zod';
import { verifyAuditChain } from '../../db/repositories/audit.repo';
import { defineCommand } from '../command';
import { withDb } from '../withDb';

export const auditVerify = defineCommand({
  summary: 'Check that the audit trail has no gaps or edits',
  usage: '',
  flags: z.object({}),
  run: (_flags, { config }) => withDb(config, verifyAuditChain),
  describe: (v) =>
    v.ok
      ? `Audit trail intact: ${v.events} events, hash chain verified.`
      : `Audit trail BROKEN at event #${v.brokenAtSeq}: ${v.problem} (${v.events} events checked).`,
  exitCode: (v) => (v.ok ? 0 : 1),
});
