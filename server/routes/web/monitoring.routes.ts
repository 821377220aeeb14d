/**
 * Monitoring in the console: an agent's correction of a post's sentiment (from the thread's badge), acknowledging an alert.
 */
import { Router } from 'express';
import { acknowledgeAlert } from '../../domain/alerts/alertRules';
import { inTransaction } from '../../domain/effects';
import { overrideSentiment, sentimentOverrideInput } from '../../domain/listening/overrideSentiment';
import { requirePermission } from '../../middleware/auth';
import { pathId, uuidParam, validate } from '../../middleware/validate';
import type { Services } from '../../services';
import { actingUser } from '../actor';

export function monitoringRoutes({ db, dispatcher }: Services): Router {
  const router = Router();
  router.param('id', uuidParam('Conversation'));
  router.param('messageId', uuidParam('Message'));
  router.param('alertId', uuidParam('Alert'));

  router.post(
    '/conversations/:id/messages/:messageId/sentiment',
    requirePermission('conversation.work'),
    validate(sentimentOverrideInput, (req) => ({ label: req.body.label, messageId: req.params.messageId })),
    async (req, res) => {
      const { actor, role, user } = actingUser(req);
      await inTransaction(db, dispatcher, (tx, effects) => overrideSentiment(tx, effects, res.locals.input, { actor, role, userId: user.id }));
      res.redirect(303, `/conversations/${pathId(req)}`);
    },
  );

  router.post('/alerts/:alertId/ack', async (req, res) => {
    const { actor, user } = actingUser(req);
    await inTransaction(db, dispatcher, (tx, effects) => acknowledgeAlert(tx, effects, pathId(req, 'alertId'), { actor, userId: user.id }));
    res.redirect(303, '/notifications');
  });

  return router;
}
