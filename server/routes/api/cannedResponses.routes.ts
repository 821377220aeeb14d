/** Canned responses for integrations: everyone who reads conversations lists them, managers create and edit (audited). */
import { Router } from 'express';
import { listCanned } from '../../db/repositories/cannedResponses.repo';
import { cannedEditInput, cannedInput, createCannedResponse, editCannedResponse } from '../../domain/cannedResponses/cannedResponses';
import { requirePermission } from '../../middleware/auth';
import { uuidParam, validate } from '../../middleware/validate';
import type { Services } from '../../services';
import { actingUser } from '../actor';

export function cannedResponseApiRoutes({ db }: Services): Router {
  const router = Router();
  router.param('id', uuidParam('Canned response'));

  router.get('/canned-responses', requirePermission('conversation.read'), async (_req, res) => {
    res.json({ cannedResponses: await listCanned(db) });
  });

  router.post('/canned-responses', requirePermission('canned.manage'), validate(cannedInput), async (req, res) => {
    res.status(201).json(await db.transaction().execute((tx) => createCannedResponse(tx, res.locals.input, actingUser(req))));
  });

  router.post(
    '/canned-responses/:id',
    requirePermission('canned.manage'),
    validate(cannedEditInput, (req) => ({ ...req.body, id: req.params.id })),
    async (req, res) => {
      res.json(await db.transaction().execute((tx) => editCannedResponse(tx, res.locals.input, actingUser(req))));
    },
  );

  return router;
}
