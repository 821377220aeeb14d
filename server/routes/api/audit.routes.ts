/** GET /api/v1/audit — the audit trail for auditors, managers and admins; /audit.csv exports it (the export is itself audited). */
import { Router } from 'express';
import { listAudit } from '../../db/repositories/audit.repo';
import { userActor } from '../../domain/audit/actor';
import { sendAuditCsv } from '../auditExport';
import { requirePermission } from '../../middleware/auth';
import { parseInput } from '../../domain/parseInput';
import { presentAuditEvent } from '../../presenters/audit.presenter';
import type { Services } from '../../services';
import { auditQuery } from '../audit.schema';

export function auditApiRoutes({ db }: Services): Router {
  const router = Router();
  router.get('/audit', requirePermission('audit.read'), async (req, res) => {
    const q = parseInput(auditQuery, req.query, 'query');
    const events = await listAudit(db, q);
    const last = events.at(-1);
    res.json({ events: events.map(presentAuditEvent), nextBeforeSeq: events.length === q.limit && last ? last.seq : null });
  });

  router.get('/audit.csv', requirePermission('audit.read'), async (req, res) => {
    const { limit: _limit, ...filter } = parseInput(auditQuery, req.query, 'query');
    await sendAuditCsv(req, res, db, filter, userActor(req.user!, req.ip));
  });
  return router;
}
