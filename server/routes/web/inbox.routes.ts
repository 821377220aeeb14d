/** The inbox, refreshed live, and bulk actions on a selection of its rows. */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { assignConversation } from '../../domain/conversations/assignConversation';
import { changeStatus } from '../../domain/conversations/changeStatus';
import { tagConversation } from '../../domain/conversations/tagConversation';
import { inTransaction } from '../../domain/effects';
import { BadRequest, HttpError } from '../../errors';
import { requirePermission } from '../../middleware/auth';
import { rerenderForm } from '../../middleware/errors';
import { formList, uuidParam, validate } from '../../middleware/validate';
import type { Services } from '../../services';
import { actingUser } from '../actor';
import { inboxConversationPage, inboxPage, inboxViewCounts } from './inboxPage';

/** A selection (checkboxes) and what to do with it; each command checks its own part (assignee, tag, reason). */
const bulkInput = z.object({
  ids: z.array(z.uuid()).max(200),
  action: z.enum(['assign_me', 'assign', 'tag', 'close']),
  assigneeId: z.string().optional(),
  tag: z.string().optional(),
  reason: z.string().optional(),
});

export function inboxRoutes(services: Services): Router {
  const { db, dispatcher } = services;
  const router = Router();
  const page = inboxPage(services);
  router.param('id', uuidParam('Conversation'));
  router.get('/', (_req, res) => res.redirect('/inbox'));
  router.get('/inbox', (req, res) => page(req, res));
  router.get('/inbox/views', inboxViewCounts(services));
  router.get('/inbox/:id', inboxConversationPage(services));

  // Each conversation is its own command, transaction and audit event; a refused one does not stop the others.
  const bulkResult = (_req: Request, res: Response) => res.render('partials/inbox/bulk-result', { done: 0, failures: [] });
  router.post(
    '/inbox/bulk',
    requirePermission('conversation.work'),
    rerenderForm('bulk', bulkResult),
    validate(bulkInput, (req) => ({ ...req.body, ids: formList(req.body.ids) })),
    async (req, res) => {
      const { ids, action, assigneeId, tag, reason } = res.locals.input;
      if (!ids.length) throw new BadRequest(res.locals.t('bulk.noneSelected'));
      const by = actingUser(req);
      const failures: string[] = [];
      for (const conversationId of ids) {
        await inTransaction(db, dispatcher, async (tx, effects) => {
          if (action === 'assign_me') return assignConversation(tx, effects, { conversationId, assigneeId: by.user.id }, by);
          if (action === 'assign') return assignConversation(tx, effects, { conversationId, assigneeId: assigneeId || null }, by);
          if (action === 'tag') return tagConversation(tx, effects, { conversationId, add: [tag ?? ''] }, by);
          return changeStatus(tx, effects, { conversationId, status: 'closed', reason }, by);
        }).catch((err: unknown) => {
          if (!(err instanceof HttpError) || err.status >= 500) throw err;
          failures.push(err.message);
        });
      }
      res.render('partials/inbox/bulk-result', { done: ids.length - failures.length, failures });
    },
  );

  return router;
}
