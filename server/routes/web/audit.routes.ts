/** The auditor's log: newest first, filterable, with the hash-chain badge; and its CSV download (itself audited). */
import { Router } from 'express';
import { listAudit, verifyAuditChain } from '../../db/repositories/audit.repo';
import { listUsers } from '../../db/repositories/users.repo';
import { listChannels } from '../../db/repositories/channels.repo';
import { userActor } from '../../domain/audit/actor';
import { exportAuditCsv } from '../../domain/audit/exportAudit';
import { requirePermission } from '../../middleware/auth';
import { parseInput } from '../../domain/parseInput';
import { AUDIT_ACTIONS } from '../../domain/audit/actions';
import type { Services } from '../../services';
import { auditQuery } from '../audit.schema';
import { renderPageOrFragment } from './render';

export function auditRoutes({ db }: Services): Router {
  const router = Router();
  router.get('/audit', requirePermission('audit.read'), async (req, res) => {
    const q = parseInput(auditQuery, { limit: 100, ...req.query }, 'filter');
    const [events, users, chain, channels] = await Promise.all([listAudit(db, q), listUsers(db), verifyAuditChain(db), listChannels(db)]);
    const last = events.at(-1);
    renderPageOrFragment(req, res, 'audit', 'partials/audit-table', {
      events,
      users,
      chain,
      channels,
      auditActions: AUDIT_ACTIONS,
      filters: req.query,
      nextBeforeSeq: events.length === q.limit && last ? last.seq : null,
    });
  });

  router.get('/audit/export.csv', requirePermission('audit.read'), async (req, res) => {
    const { limit: _limit, ...filter } = parseInput(auditQuery, req.query, 'filter');
    const { csv } = await exportAuditCsv(db, filter, userActor(req.user!, req.ip));
    res.type('text/csv; charset=utf-8').attachment('audit.csv').send(csv);
  });
  return router;
}
