/** Scheduled report e-mails for integrations: one's own subscriptions, subscribing and unsubscribing (audited). */
import { Router } from 'express';
import { reportSubscriptionsOf } from '../../db/repositories/reportSubscriptions.repo';
import { userActor } from '../../domain/audit/actor';
import { inTransaction } from '../../domain/effects';
import { reportSubscriptionInput, subscribeReport, unsubscribeReport } from '../../domain/reports/reportMail';
import { requirePermission } from '../../middleware/auth';
import { pathId, uuidParam, validate } from '../../middleware/validate';
import type { Services } from '../../services';

export function reportSubscriptionApiRoutes({ db, dispatcher }: Services): Router {
  const router = Router();
  router.param('subscriptionId', uuidParam('Report subscription'));
  const read = requirePermission('reports.read');

  router.get('/report-subscriptions', read, async (req, res) => {
    res.json({ subscriptions: await reportSubscriptionsOf(db, req.user!.id) });
  });
  router.post('/report-subscriptions', read, validate(reportSubscriptionInput), async (req, res) => {
    const by = { actor: userActor(req.user!, req.ip), userId: req.user!.id };
    res.status(201).json(await inTransaction(db, dispatcher, (tx) => subscribeReport(tx, res.locals.input, by, new Date())));
  });
  router.delete('/report-subscriptions/:subscriptionId', read, async (req, res) => {
    const by = { actor: userActor(req.user!, req.ip), userId: req.user!.id };
    res.json(await inTransaction(db, dispatcher, (tx) => unsubscribeReport(tx, pathId(req, 'subscriptionId'), by)));
  });
  return router;
}
