/** Saved inbox views: a name and the inbox query string (only the inbox's own filters are kept), per user. */
import { Router } from 'express';
import { z } from 'zod';
import { deleteSavedView, upsertSavedView } from '../../db/repositories/savedViews.repo';
import { rerenderForm } from '../../middleware/errors';
import { pathId, uuidParam, validate } from '../../middleware/validate';
import type { Services } from '../../services';
import { INBOX_FILTERS, inboxPage } from './inboxPage';

const savedViewInput = z.object({
  name: z.string().trim().min(1).max(60),
  query: z
    .string()
    .max(1000)
    .transform((q) => {
      const params = new URLSearchParams(q.replace(/^\?/, ''));
      for (const key of [...params.keys()]) if (!(INBOX_FILTERS as readonly string[]).includes(key)) params.delete(key);
      return params.toString();
    }),
});

export function savedViewRoutes(services: Services): Router {
  const { db } = services;
  const router = Router();
  router.param('id', uuidParam('Saved view'));
  const page = inboxPage(services);

  // A refused name shows at the form, over the inbox the view was to save.
  router.post(
    '/saved-views',
    rerenderForm('saved-view', (req, res) => page(req, res, Object.fromEntries(new URLSearchParams(String(req.body.query ?? ''))))),
    validate(savedViewInput),
    async (req, res) => {
      const { name, query } = res.locals.input;
      await upsertSavedView(db, { userId: req.user!.id, name, query });
      res.redirect(303, `/inbox?${query}`);
    },
  );

  router.post('/saved-views/:id/delete', async (req, res) => {
    await deleteSavedView(db, req.user!.id, pathId(req));
    res.redirect(303, '/inbox');
  });

  return router;
}
