/** The inbox, refreshed live, the open conversation beside it, and bulk actions on a selection or on all that match the filter. */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { inboxIds } from '../../db/repositories/conversations.repo';
import { assignConversation } from '../../domain/conversations/assignConversation';
import { changeStatus } from '../../domain/conversations/changeStatus';
import { SNOOZE_PRESETS, snoozeUntil } from '../../domain/conversations/snoozePresets';
import { PRIORITIES, setPriority, tagConversation } from '../../domain/conversations/tagConversation';
import { inTransaction } from '../../domain/effects';
import { BadRequest, HttpError, messageIn } from '../../errors';
import { DEFAULT_TIME_ZONE } from '../../i18n/translate';
import { requirePermission } from '../../middleware/auth';
import { rerenderForm } from '../../middleware/errors';
import { formList, uuidParam, validate } from '../../middleware/validate';
import type { Services } from '../../services';
import { actingUser } from '../actor';
import { inboxConversationPage, inboxFilterOf, inboxPage, inboxViewCounts } from './inboxPage';

/** "All matching the filter" acts on at most this many conversations, the most urgent first. */
const BULK_MAX = 500;

/** Actions that take something away (a closed case, an agent's assignment) are asked about first. */
const DESTRUCTIVE = new Set(['close', 'unassign']);

/**
 * A selection (checkboxes) or the list's filter, and what to do with it; each command checks its own part
 * (assignee, tag, priority, reason). Closing, unassigning and everything on "all matching" ask first.
 */
const bulkInput = z.object({
  ids: z.array(z.uuid()).max(200),
  scope: z.enum(['selected', 'filter']).default('selected'),
  filter: z.string().max(2000).default(''),
  action: z.enum(['assign_me', 'assign', 'unassign', 'tag', 'priority', 'snooze', 'close']),
  assigneeId: z.string().optional(),
  tag: z.string().optional(),
  reason: z.string().optional(),
  priority: z.enum(PRIORITIES).optional(),
  snooze: z.enum(SNOOZE_PRESETS).optional(),
  confirmed: z.literal('1').optional(),
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

  /** The conversations a bulk action is for: the ticked ones, or (bounded) all that match the list's filter. */
  const targetsOf = async (req: Request, input: z.output<typeof bulkInput>) => {
    if (input.scope === 'selected') return { ids: input.ids, capped: false };
    const { filter } = inboxFilterOf(req, Object.fromEntries(new URLSearchParams(input.filter)));
    const ids = await inboxIds(db, filter, BULK_MAX + 1);
    return { ids: ids.slice(0, BULK_MAX), capped: ids.length > BULK_MAX };
  };

  // Each conversation is its own command, transaction and audit event; a refused one does not stop the others.
  const bulkResult = (_req: Request, res: Response) => res.render('partials/inbox/bulk-result', { done: 0, failures: [], capped: false, bulkMax: BULK_MAX });
  router.post(
    '/inbox/bulk',
    requirePermission('conversation.work'),
    rerenderForm('bulk', bulkResult),
    validate(bulkInput, (req) => ({ ...req.body, ids: formList(req.body.ids) })),
    async (req, res) => {
      const input = res.locals.input;
      const { action, assigneeId, tag, reason, priority, snooze } = input;
      if (action === 'priority' && !priority) throw new BadRequest('priority: choose one').showing('bulk.choosePriority');
      if (action === 'snooze' && !snooze) throw new BadRequest('snooze: choose a preset').showing('bulk.chooseSnooze');
      const { ids, capped } = await targetsOf(req, input);
      if (!ids.length) throw new BadRequest('no conversations selected').showing('bulk.noneSelected');
      if (!input.confirmed && (DESTRUCTIVE.has(action) || input.scope === 'filter')) {
        return res.render('partials/inbox/bulk-confirm', { n: ids.length, action, capped, bulkMax: BULK_MAX });
      }
      const by = actingUser(req);
      const remindAt = snooze ? snoozeUntil(snooze, new Date(), DEFAULT_TIME_ZONE).toISOString() : undefined;
      const failures: string[] = [];
      for (const conversationId of ids) {
        await inTransaction(db, dispatcher, async (tx, effects) => {
          if (action === 'assign_me') return assignConversation(tx, effects, { conversationId, assigneeId: by.user.id }, by);
          if (action === 'assign') return assignConversation(tx, effects, { conversationId, assigneeId: assigneeId || null }, by);
          if (action === 'unassign') return assignConversation(tx, effects, { conversationId, assigneeId: null }, by);
          if (action === 'tag') return tagConversation(tx, effects, { conversationId, add: [tag ?? ''] }, by);
          if (action === 'priority') return setPriority(tx, effects, { conversationId, priority: priority! }, by);
          if (action === 'snooze') return changeStatus(tx, effects, { conversationId, status: 'saved', remindAt }, by);
          return changeStatus(tx, effects, { conversationId, status: 'closed', reason }, by);
        }).catch((err: unknown) => {
          if (!(err instanceof HttpError) || err.status >= 500) throw err;
          failures.push(messageIn(err, res.locals.t));
        });
      }
      res.render('partials/inbox/bulk-result', { done: ids.length - failures.length, failures, capped, bulkMax: BULK_MAX });
    },
  );

  return router;
}
