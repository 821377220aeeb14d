/**
 * The auditor's log: newest first, one readable sentence per event, filterable (people only by default),
 * with the result of the last chain verification and a "verify now" button; and its CSV download (itself audited).
 */
import { Router } from 'express';
import { auditNames, listAudit } from '../../db/repositories/audit.repo';
import { latestVerification } from '../../db/repositories/auditVerifications.repo';
import { listUsers } from '../../db/repositories/users.repo';
import { listChannels } from '../../db/repositories/channels.repo';
import { ACTION_GROUPS } from '../../domain/audit/actionGroups';
import { userActor } from '../../domain/audit/actor';
import { referencedIds } from '../../domain/audit/auditSentence';
import { sendAuditCsv } from '../auditExport';
import { mayRequestVerification, verifyAuditTrail } from '../../domain/audit/verifyAuditTrail';
import { Forbidden } from '../../errors';
import { requirePermission } from '../../middleware/auth';
import { parseInput } from '../../domain/parseInput';
import { AUDIT_ACTIONS } from '../../domain/audit/actions';
import { presentAuditRow } from '../../presenters/auditPage.presenter';
import type { Services } from '../../services';
import { auditQuery } from '../audit.schema';
import { renderPageOrFragment } from './render';

export function auditRoutes({ db, dispatcher }: Services): Router {
  const router = Router();
  router.get('/audit', requirePermission('audit.read'), async (req, res) => {
    const q = parseInput(auditQuery, { limit: 100, scope: 'people', ...req.query }, 'filter');
    const [events, users, verification, channels] = await Promise.all([listAudit(db, q), listUsers(db), latestVerification(db), listChannels(db)]);
    const names = await auditNames(db, referencedIds(events));
    const last = events.at(-1);
    renderPageOrFragment(req, res, 'audit', 'partials/audit-table', {
      rows: events.map((e) => presentAuditRow(e, names, res.locals.t)),
      users,
      verification,
      canVerify: mayRequestVerification(req.user!.role),
      channels,
      auditActions: AUDIT_ACTIONS,
      actionGroups: ACTION_GROUPS,
      filters: { ...req.query, scope: q.scope },
      nextBeforeSeq: events.length === q.limit && last ? last.seq : null,
    });
  });

  router.post('/audit/verify', requirePermission('audit.read'), async (req, res) => {
    if (!mayRequestVerification(req.user!.role)) throw new Forbidden('Only admins and auditors start a verification');
    await verifyAuditTrail(db, dispatcher, { mode: 'incremental', trigger: 'on_demand', by: { ...userActor(req.user!, req.ip), name: req.user!.name } });
    res.redirect(303, '/audit');
  });

  router.get('/audit/export.csv', requirePermission('audit.read'), async (req, res) => {
    const { limit: _limit, ...filter } = parseInput(auditQuery, { scope: 'people', ...req.query }, 'filter');
    await sendAuditCsv(req, res, db, filter, userActor(req.user!, req.ip));
  });
  return router;
}
