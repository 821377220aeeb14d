/** PATCH /api/v1/channels/:id with `bot`: a messaging channel's bot first setting (domain/bot/channelBotSetting.ts). */
import { Router } from 'express';
import { channelBotInput, setChannelBot } from '../../domain/bot/channelBotSetting';
import { inTransaction } from '../../domain/effects';
import { requirePermission } from '../../middleware/auth';
import { bodyWithId, uuidParam, validate } from '../../middleware/validate';
import type { Services } from '../../services';
import { actingUser } from '../actor';

export function channelBotApiRoutes({ db, dispatcher, connectors }: Services): Router {
  const router = Router();
  router.param('id', uuidParam('Channel'));
  // a body naming `bot` is answered here, any other goes on to the other channel settings
  router.patch(
    '/channels/:id',
    (req, _res, next) => next(req.body && typeof req.body === 'object' && 'bot' in req.body ? undefined : 'route'),
    requirePermission('settings.manage'),
    validate(channelBotInput, bodyWithId('channelId')),
    async (req, res) => {
      res.json({ bot: await inTransaction(db, dispatcher, (tx) => setChannelBot(tx, res.locals.input, actingUser(req).actor, connectors)) });
    },
  );
  return router;
}
