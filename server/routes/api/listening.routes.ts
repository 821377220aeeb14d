/**
 * Listening for integrations: queries (create, list, backfill), a query's or a channel's volume report
 * (JSON or CSV), and an agent's correction of a post's sentiment.
 */
import { Router } from 'express';
import { z } from 'zod';
import { listListeningQueries, findListeningQuery } from '../../db/repositories/listening.repo';
import { userActor } from '../../domain/audit/actor';
import { inTransaction } from '../../domain/effects';
import { backfillInput, backfillListeningQuery, createListeningQuery, listeningQueryInput } from '../../domain/listening/listeningQueries';
import { exportMonitoringCsv, monitoringReport } from '../../domain/listening/monitoringReport';
import { overrideSentiment, sentimentOverrideInput } from '../../domain/listening/overrideSentiment';
import { parseInput } from '../../domain/parseInput';
import { NotFound } from '../../errors';
import { requirePermission } from '../../middleware/auth';
import { pathId, uuidParam, validate } from '../../middleware/validate';
import type { Services } from '../../services';
import { actingUser } from '../actor';
import { reportQuery } from './reports.schema';

const format = z.object({ format: z.enum(['json', 'csv']).default('json') });

export function listeningApiRoutes({ db, dispatcher }: Services): Router {
  const router = Router();
  router.param('id', uuidParam('Listening query'));
  router.param('messageId', uuidParam('Message'));
  const manage = requirePermission('settings.manage');

  router.get('/listening-queries', requirePermission('reports.read'), async (_req, res) => {
    res.json({ queries: await listListeningQueries(db) });
  });

  router.post('/listening-queries', manage, validate(listeningQueryInput), async (req, res) => {
    const by = { actor: userActor(req.user!, req.ip), userId: req.user!.id };
    res.status(201).json(await inTransaction(db, dispatcher, (tx) => createListeningQuery(tx, res.locals.input, by)));
  });

  router.post('/listening-queries/:id/backfill', manage, validate(backfillInput), async (req, res) => {
    res.json(await backfillListeningQuery(db, dispatcher, pathId(req), res.locals.input, userActor(req.user!, req.ip)));
  });

  router.get('/listening-queries/:id/volume', requirePermission('reports.read'), async (req, res) => {
    const query = await findListeningQuery(db, pathId(req));
    if (!query) throw new NotFound('Listening query');
    const range = parseInput(reportQuery, req.query, 'query');
    if (parseInput(format, { format: req.query.format }, 'query').format === 'csv') {
      const csv = await exportMonitoringCsv(db, userActor(req.user!, req.ip), { queryId: query.id }, range);
      return void res.type('text/csv; charset=utf-8').attachment(`replyline-listening-${range.fromDate}_${range.toDate}.csv`).send(csv);
    }
    res.json({ query: { id: query.id, name: query.name, query: query.query }, ...(await monitoringReport(db, { queryId: query.id }, range)) });
  });

  router.get('/monitoring/channels', requirePermission('reports.read'), async (req, res) => {
    const range = parseInput(reportQuery, req.query, 'query');
    res.json(await monitoringReport(db, { channelId: range.channelId }, range));
  });

  router.post(
    '/messages/:messageId/sentiment',
    requirePermission('conversation.work'),
    validate(sentimentOverrideInput, (req) => ({ ...req.body, messageId: req.params.messageId })),
    async (req, res) => {
      const { actor, role, user } = actingUser(req);
      res.json(await inTransaction(db, dispatcher, (tx, effects) => overrideSentiment(tx, effects, res.locals.input, { actor, role, userId: user.id })));
    },
  );

  return router;
}
