/** Chat sites for integrations (user API token; managers and admins): create, change, list, read. */
import { Router } from 'express';
import { findChatSite, listChatSites } from '../../db/repositories/chatSites.repo';
import { changeChatSite, createChatSite } from '../../domain/chatSites/saveChatSite';
import { inTransaction } from '../../domain/effects';
import { NotFound } from '../../errors';
import { requirePermission } from '../../middleware/auth';
import { pathId, uuidParam } from '../../middleware/validate';
import { presentChatSite } from '../../presenters/chatSite.presenter';
import type { Services } from '../../services';
import { actingUser } from '../actor';

export function chatSiteApiRoutes({ db, dispatcher, config }: Services): Router {
  const router = Router();
  router.param('id', uuidParam('Chat site'));
  // the role check comes before the body is read: an agent gets 403, not a 400 about the body
  router.use('/chat-sites', requirePermission('settings.manage'));
  const present = (site: Parameters<typeof presentChatSite>[0]) => presentChatSite(site, config.baseUrl);

  router.get('/chat-sites', async (_req, res) => {
    res.json({ chatSites: (await listChatSites(db)).map(present) });
  });

  router.get('/chat-sites/:id', async (req, res) => {
    const site = await findChatSite(db, pathId(req));
    if (!site) throw new NotFound('Chat site');
    res.json(present(site));
  });

  router.post('/chat-sites', async (req, res) => {
    const site = await inTransaction(db, dispatcher, (tx, effects) => createChatSite(tx, effects, req.body ?? {}, actingUser(req)));
    res.status(201).json(present(site));
  });

  router.patch('/chat-sites/:id', async (req, res) => {
    const site = await inTransaction(db, dispatcher, (tx, effects) => changeChatSite(tx, effects, { ...req.body, siteId: pathId(req) }, actingUser(req)));
    res.json(present(site));
  });

  return router;
}
