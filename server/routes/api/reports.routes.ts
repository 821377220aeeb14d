/** GET /api/v1/reports/sla, /reports/chat, /reports/self-service and /reports/callbacks (JSON) and /api/v1/reports/<report>.csv (audited export), for managers, auditors and admins. */
import { Router } from 'express';
import { z } from 'zod';
import { requirePermission } from '../../middleware/auth';
import { parseInput } from '../../domain/parseInput';
import { userActor } from '../../domain/audit/actor';
import { buildSlaReport, exportReport } from '../../domain/reports/buildReports';
import { buildCallbackReport } from '../../domain/reports/callbackReport';
import { buildChatReport } from '../../domain/reports/chatServiceLevel';
import { buildSelfServiceReport } from '../../domain/reports/selfService';
import type { Services } from '../../services';
import { REPORT_NAMES, reportQuery } from './reports.schema';

const csvFile = z.object({ file: z.templateLiteral([z.enum(REPORT_NAMES), '.csv']) });
const chatSite = z.object({ siteId: z.uuid() });

export function reportApiRoutes({ db }: Services): Router {
  const router = Router();
  router.get('/reports/sla', requirePermission('reports.read'), async (req, res) => {
    const q = parseInput(reportQuery, req.query, 'query');
    res.json(await buildSlaReport(db, q, new Date()));
  });
  // before /reports/:file: the chat service level of one site (same range rules as the other reports)
  router.get('/reports/chat', requirePermission('reports.read'), async (req, res) => {
    const { siteId } = parseInput(chatSite, req.query, 'query');
    const q = parseInput(reportQuery, req.query, 'query');
    res.json(await buildChatReport(db, { ...q, siteId }, new Date()));
  });
  // bot first: self-service and handover rates, handover reasons, articles that helped (before /reports/:file)
  router.get('/reports/self-service', requirePermission('reports.read'), async (req, res) => {
    const q = parseInput(reportQuery, req.query, 'query');
    res.json(await buildSelfServiceReport(db, q));
  });
  // the callback requests and calls of a range (domain/reports/callbackReport.ts)
  router.get('/reports/callbacks', requirePermission('reports.read'), async (req, res) => {
    res.json(await buildCallbackReport(db, parseInput(reportQuery, req.query, 'query')));
  });
  router.get('/reports/:file', requirePermission('reports.read'), async (req, res) => {
    const { file } = parseInput(csvFile, req.params, 'report');
    const q = parseInput(reportQuery, req.query, 'query');
    const name = file.replace(/\.csv$/, '');
    const { csv } = await exportReport(db, userActor(req.user!, req.ip), name, q, new Date());
    res.type('text/csv; charset=utf-8').attachment(`replyline-${name}-${q.fromDate}_${q.toDate}.csv`).send(csv);
  });
  return router;
}
