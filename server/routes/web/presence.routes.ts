/**
 * Presence: the reply box pings while its user types, the open page pings while it is open; the others see
 * "X is replying…" and "X is viewing" (live, nothing stored).
 */
import { Router } from 'express';
import { markTyping, markViewing, whoIsTyping, whoIsViewing } from '../../domain/presence/typing';
import { requirePermission } from '../../middleware/auth';
import { pathId, uuidParam } from '../../middleware/validate';
import type { Services } from '../../services';

export function presenceRoutes({ redis, config, live }: Services): Router {
  const router = Router();
  router.param('id', uuidParam('Conversation'));

  router.post('/conversations/:id/typing', requirePermission('conversation.reply'), async (req, res) => {
    const conversationId = pathId(req);
    await markTyping(redis, config.redisPrefix, conversationId, req.user!);
    await live.publish({ type: 'presence', conversationId, userId: req.user!.id, typing: true });
    res.status(204).end();
  });

  router.post('/conversations/:id/viewing', async (req, res) => {
    const conversationId = pathId(req);
    await markViewing(redis, config.redisPrefix, conversationId, req.user!);
    await live.publish({ type: 'presence', conversationId, userId: req.user!.id });
    res.status(204).end();
  });

  router.get('/conversations/:id/presence', async (req, res) => {
    const [typing, viewing] = await Promise.all([
      whoIsTyping(redis, config.redisPrefix, req.params.id, req.user!.id),
      whoIsViewing(redis, config.redisPrefix, req.params.id, req.user!.id),
    ]);
    res.render('partials/presence/typing', { conversationId: req.params.id, typing, viewing });
  });

  return router;
}
