/** The agent's decision on a reply that may have been sent ("maybe sent — check"): mark it sent, or send it again. */
import { Router } from 'express';
import { z } from 'zod';
import { userActor } from '../../domain/audit/actor';
import { inTransaction } from '../../domain/effects';
import { resolveUncertainDelivery } from '../../domain/replies/resolveUncertainDelivery';
import { NotFound } from '../../errors';
import { requirePermission } from '../../middleware/auth';
import type { Services } from '../../services';

const params = z.object({ id: z.uuid(), messageId: z.uuid() });

export function replyDeliveryRoutes({ db, dispatcher }: Services): Router {
  const router = Router();
  router.post('/conversations/:id/messages/:messageId/delivery', requirePermission('conversation.reply'), async (req, res) => {
    const p = params.safeParse(req.params);
    if (!p.success) throw new NotFound('Reply');
    await inTransaction(db, dispatcher, (tx, effects) => resolveUncertainDelivery(tx, effects,
      { conversationId: p.data.id, messageId: p.data.messageId, resolution: req.body?.resolution }, userActor(req.user!, req.ip)));
    res.redirect(303, `/conversations/${p.data.id}`);
  });
  return router;
}
