/** The agent records a call attempt on a callback case (domain/callbacks/recordCallbackAttempt.ts); the page answers again. */
import { Router } from 'express';
import { attemptInput, recordCallbackAttempt } from '../../domain/callbacks/recordCallbackAttempt';
import { inTransaction } from '../../domain/effects';
import { requirePermission } from '../../middleware/auth';
import { rerenderForm } from '../../middleware/errors';
import { bodyWithId, uuidParam, validate } from '../../middleware/validate';
import type { Services } from '../../services';
import { actingUser } from '../actor';
import { afterChange, conversationPage } from './conversationPage';

export function callbackRoutes(services: Services): Router {
  const { db, dispatcher } = services;
  const router = Router();
  router.param('id', uuidParam('Conversation'));
  const done = afterChange(services);

  router.post(
    '/conversations/:id/callback-attempts',
    requirePermission('conversation.work'),
    rerenderForm('callback', conversationPage(services)),
    validate(attemptInput, bodyWithId('conversationId')),
    async (req, res) => {
      await inTransaction(db, dispatcher, (tx, effects) => recordCallbackAttempt(tx, effects, res.locals.input, actingUser(req)));
      await done(req, res);
    },
  );
  return router;
}
