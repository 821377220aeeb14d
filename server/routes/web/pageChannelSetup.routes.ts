/**
 * Connecting a Facebook page or an Instagram account from the console (managers and admins): the form, and
 * after it the Meta webhook's callback URL and the verify token, shown this once. The channels page links here.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { userActor } from '../../domain/audit/actor';
import { connectChannel } from '../../domain/channels/connectChannel';
import { META_WEBHOOK_PATH } from '../../domain/channels/meta/metaWebhook';
import { BadRequest } from '../../errors';
import { requirePermission } from '../../middleware/auth';
import { rerenderForm } from '../../middleware/errors';
import type { Services } from '../../services';

const PAGE = '/settings/channels/meta';
const kindSchema = z.enum(['facebook', 'instagram']);

export function pageChannelSetupRoutes({ db, secretBox, connectors, config }: Services): Router {
  const router = Router();
  router.use(PAGE, requirePermission('settings.manage'));

  const render = (res: Response, created: { name: string; kind: string; verifyToken: string } | null = null) =>
    res.render('settings-page-channel', { created, webhookUrl: `${config.baseUrl}${META_WEBHOOK_PATH}` });
  const form = (_req: Request, res: Response) => render(res);

  router.get(PAGE, form);

  router.post(PAGE, rerenderForm('new-page', form, ['appSecret', 'pageToken', 'verifyToken']), async (req, res) => {
    const body = (req.body ?? {}) as Record<string, string | undefined>;
    const kind = kindSchema.safeParse(body.kind);
    if (!kind.success) throw new BadRequest('Choose Facebook or Instagram', { fields: { kind: 'invalid' } });
    const input = {
      name: body.name ?? '',
      pageId: body.pageId ?? '',
      appSecret: body.appSecret ?? '',
      pageToken: body.pageToken ?? '',
      verifyToken: body.verifyToken || undefined,
      graphBaseUrl: body.graphBaseUrl || undefined,
    };
    const created = await db.transaction().execute((tx) => connectChannel(tx, secretBox, connectors.of(kind.data)!, input, userActor(req.user!, req.ip)));
    render(res.status(201), { name: created.name, kind: kind.data, verifyToken: created.shownOnce.verifyToken ?? '' });
  });
  return router;
}
