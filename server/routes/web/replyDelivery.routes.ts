/** The agent's decision on a reply that may have been sent ("maybe sent — check"): mark it sent, or send it again. */
import { Router } from 'express';
import { inTransaction } from '../../domain/effects';
import { resolutionInput, resolveUncertainDelivery } from '../../domain/replies/resolveUncertainDelivery';
import { requirePermission } from '../../middleware/auth';
import { rerenderForm } from '../../middleware/errors';
import { resolutionOf, uuidParam, validate } from '../../middleware/validate';
import type { Services } from '../../services';
import { actingUser } from '../actor';
import { afterChange, conversationPage } from './conversationPage';

export function replyDeliveryRoutes(services: Services): Router {
  const { db, dispatcher } = services;
  const router = Router();
  router.param('id', uuidParam('Conversation'));
  router.param('messageId', uuidParam('Reply'));
  const refused = rerenderForm('reply', conversationPage(services));
  const done = afterChange(services);
  router.post(
    '/conversations/:id/messages/:messageId/delivery',
    requirePermission('conversation.reply'),
    refused,
    validate(resolutionInput, resolutionOf),
    async (req, res) => {
      await inTransaction(db, dispatcher, (tx, effects) => resolveUncertainDelivery(tx, effects, res.locals.input, actingUser(req).actor));
      await done(req, res);
    },
  );
  return router;
}
