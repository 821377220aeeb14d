/** Hiding, showing again and deleting a customer's comment on its channel (Facebook, Instagram), from the thread. */
import { Router } from 'express';
import { moderateComment, moderationInput } from '../../domain/conversations/moderateComment';
import { requirePermission } from '../../middleware/auth';
import { rerenderForm } from '../../middleware/errors';
import { uuidParam, validate } from '../../middleware/validate';
import type { Services } from '../../services';
import { actingUser } from '../actor';
import { afterChange, conversationPage } from './conversationPage';

export function commentModerationRoutes(services: Services): Router {
  const router = Router();
  router.param('id', uuidParam('Conversation'));
  router.post(
    '/conversations/:id/messages/:messageId/moderation',
    requirePermission('conversation.reply'),
    rerenderForm('action', conversationPage(services)),
    validate(moderationInput, (req) => ({ conversationId: req.params.id, messageId: req.params.messageId, action: req.body?.action })),
    async (req, res) => {
      await moderateComment(services, res.locals.input, actingUser(req).actor);
      await afterChange(services)(req, res);
    },
  );
  return router;
}
