/** One conversation: its thread (refreshed live) and the reply box. */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { findConversationDetail } from '../../db/repositories/conversations.repo';
import { listMessages } from '../../db/repositories/messages.repo';
import { userActor } from '../../domain/audit/actor';
import { can } from '../../domain/auth/permissions';
import { queueReply } from '../../domain/replies/queueReply';
import { recordCannedUse } from '../../domain/cannedResponses/cannedResponses';
import { clearPresence } from '../../domain/presence/typing';
import { inTransaction } from '../../domain/effects';
import { HttpError, NotFound } from '../../errors';
import { requirePermission } from '../../middleware/auth';
import type { Services } from '../../services';
import { idParam, replyBody } from '../conversations.schema';
import { renderPageOrFragment } from './render';
import { workflowData } from './workflowView';

export function conversationRoutes(services: Services): Router {
  const { db, dispatcher } = services;
  const router = Router();

  async function load(req: Request) {
    const parsed = idParam.safeParse(req.params);
    const conversation = parsed.success ? await findConversationDetail(db, parsed.data.id) : undefined;
    if (!conversation) throw new NotFound('Conversation');
    return { conversation, messages: await listMessages(db, conversation.id) };
  }

  const view = async (req: Request, res: Response, extra: { replyError?: string; draft?: string } = {}) => {
    const loaded = await load(req);
    const data = { ...loaded, ...(await workflowData(services, req.user!, loaded.conversation)), canReply: can(req.user!.role, 'conversation.reply'), replyError: null, draft: '', ...extra };
    renderPageOrFragment(req, res, 'conversation', 'partials/conversation-main', data);
  };

  router.get('/conversations/:id', (req, res) => view(req, res));

  router.get('/conversations/:id/thread', async (req, res) => {
    res.render('partials/thread', await load(req));
  });

  router.post('/conversations/:id/replies', requirePermission('conversation.reply'), async (req, res) => {
    const { conversation } = await load(req);
    const parsed = replyBody.safeParse(req.body);
    const draft = typeof req.body?.text === 'string' ? req.body.text : '';
    if (!parsed.success) {
      res.status(400);
      return view(req, res, { replyError: parsed.error.issues[0]?.message ?? 'invalid reply', draft });
    }
    const user = req.user!;
    try {
      await inTransaction(db, dispatcher, async (tx, effects) => {
        await queueReply(tx, effects, { conversationId: conversation.id, text: parsed.data.text, lastSeenMessageId: parsed.data.lastSeenMessageId,
          author: { id: user.id, name: user.name } }, userActor(user, req.ip));
        const cannedId = z.uuid().safeParse(req.body?.cannedId);
        if (cannedId.success) await recordCannedUse(tx, cannedId.data); // a canned response inserted into this reply counts as used
      });
      await clearPresence(services, conversation.id, user.id);
    } catch (err) {
      if (!(err instanceof HttpError) || err.status >= 500) throw err;
      res.status(err.status);
      return view(req, res, { replyError: err.message, draft });
    }
    if (req.get('hx-request')) return view(req, res);
    res.redirect(303, `/conversations/${conversation.id}`);
  });

  return router;
}
