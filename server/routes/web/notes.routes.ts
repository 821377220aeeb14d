/** Internal notes on a conversation (never sent; @mentions notify colleagues) and the colleagues a note may mention. */
import { Router } from 'express';
import { listStaff } from '../../db/repositories/conversationState.repo';
import { addNote, noteInput } from '../../domain/conversations/addNote';
import { inTransaction } from '../../domain/effects';
import { requirePermission } from '../../middleware/auth';
import { rerenderForm } from '../../middleware/errors';
import { bodyWithId, uuidParam, validate } from '../../middleware/validate';
import type { Services } from '../../services';
import { actingUser } from '../actor';
import { afterChange, conversationPage } from './conversationPage';

export function noteRoutes(services: Services): Router {
  const { db, dispatcher } = services;
  const router = Router();
  router.param('id', uuidParam('Conversation'));
  const done = afterChange(services);

  router.post(
    '/conversations/:id/notes',
    requirePermission('conversation.work'),
    rerenderForm('note', conversationPage(services)),
    validate(noteInput, bodyWithId('conversationId')),
    async (req, res) => {
      await inTransaction(db, dispatcher, (tx, effects) => addNote(tx, effects, res.locals.input, actingUser(req)));
      await done(req, res);
    },
  );

  // Mention candidates for the note box's hint.
  router.get('/colleagues', async (_req, res) => {
    res.json((await listStaff(db)).map((u) => ({ name: u.name, handle: u.email.split('@')[0] })));
  });

  return router;
}
