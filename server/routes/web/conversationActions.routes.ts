/**
 * The conversation's action bar: assign, save for later / close / reopen, priority, tags. Each form is one
 * command (audited in its transaction); the answer is the page's #conversation-main fragment for htmx or a
 * redirect to the page, and a refusal shows its reason at the action bar.
 */
import { Router, type Request } from 'express';
import { assignConversation, assignInput } from '../../domain/conversations/assignConversation';
import { changeStatus, statusInput } from '../../domain/conversations/changeStatus';
import { priorityInput, setPriority, tagConversation, tagsInput } from '../../domain/conversations/tagConversation';
import { inTransaction } from '../../domain/effects';
import { parseZonedLocal } from '../../domain/time/zonedTime';
import { DEFAULT_TIME_ZONE } from '../../i18n/translate';
import { requirePermission } from '../../middleware/auth';
import { rerenderForm } from '../../middleware/errors';
import { bodyWithId, formList, uuidParam, validate } from '../../middleware/validate';
import type { Services } from '../../services';
import { actingUser } from '../actor';
import { afterChange, conversationPage } from './conversationPage';

const blankAsUndefined = (v: unknown) => (v === '' ? undefined : v);

/** "me" is the signed-in user; no teamId field keeps the team, an empty one clears it. */
const assignForm = (req: Request) => ({
  conversationId: req.params.id,
  version: blankAsUndefined(req.body.version),
  assigneeId: req.body.assigneeId === 'me' ? req.user!.id : req.body.assigneeId || null,
  teamId: req.body.teamId === undefined ? undefined : req.body.teamId || null,
});

/** The reminder is typed as Berlin wall time (datetime-local); what cannot be read is left for the schema to refuse. */
const statusForm = (req: Request) => {
  const local = blankAsUndefined(req.body.remindAt);
  const remindAt = typeof local === 'string' && local.includes('T') ? (parseZonedLocal(local, DEFAULT_TIME_ZONE)?.toISOString() ?? local) : local;
  return { ...req.body, conversationId: req.params.id, reason: blankAsUndefined(req.body.reason), remindAt, version: blankAsUndefined(req.body.version) };
};

/** Tags to add are typed comma-separated; the chips remove one each. */
const tagsForm = (req: Request) => ({
  conversationId: req.params.id,
  add:
    typeof req.body.add === 'string'
      ? req.body.add
          .split(',')
          .map((t: string) => t.trim())
          .filter(Boolean)
      : formList(req.body.add),
  remove: formList(req.body.remove),
});

export function conversationActionRoutes(services: Services): Router {
  const { db, dispatcher } = services;
  const router = Router();
  router.param('id', uuidParam('Conversation'));
  const work = requirePermission('conversation.work');
  const refused = rerenderForm('action', conversationPage(services));
  const done = afterChange(services);

  router.post('/conversations/:id/assign', work, refused, validate(assignInput, assignForm), async (req, res) => {
    await inTransaction(db, dispatcher, (tx, effects) => assignConversation(tx, effects, res.locals.input, actingUser(req)));
    await done(req, res);
  });

  router.post('/conversations/:id/status', work, refused, validate(statusInput, statusForm), async (req, res) => {
    await inTransaction(db, dispatcher, (tx, effects) => changeStatus(tx, effects, res.locals.input, actingUser(req)));
    await done(req, res);
  });

  router.post('/conversations/:id/tags', work, refused, validate(tagsInput, tagsForm), async (req, res) => {
    await inTransaction(db, dispatcher, (tx, effects) => tagConversation(tx, effects, res.locals.input, actingUser(req)));
    await done(req, res);
  });

  router.post('/conversations/:id/priority', work, refused, validate(priorityInput, bodyWithId('conversationId')), async (req, res) => {
    await inTransaction(db, dispatcher, (tx, effects) => setPriority(tx, effects, res.locals.input, actingUser(req)));
    await done(req, res);
  });

  return router;
}
