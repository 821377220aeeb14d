/** One conversation: its page, its thread (refreshed live) and the reply box. */
import { Router } from 'express';
import { findConversationDetail } from '../../db/repositories/conversations.repo';
import { userActor } from '../../domain/audit/actor';
import { recordCannedUse } from '../../domain/cannedResponses/cannedResponses';
import { changeStatus } from '../../domain/conversations/changeStatus';
import { inTransaction } from '../../domain/effects';
import { clearPresence } from '../../domain/presence/typing';
import { queueReply } from '../../domain/replies/queueReply';
import { NotFound } from '../../errors';
import { requirePermission } from '../../middleware/auth';
import { rerenderForm } from '../../middleware/errors';
import { bodyWithId, pathId, uuidParam, validate } from '../../middleware/validate';
import { loadThread } from '../../domain/attachments/loadThread';
import type { Services } from '../../services';
import { actingUser } from '../actor';
import { replyForm, threadQuery } from '../conversations.schema';
import { afterChange, channelAbilities, conversationHead, conversationPage } from './conversationPage';
import { findChannel } from '../../db/repositories/channels.repo';
import { findChatFacts } from '../../db/repositories/chatSessions.repo';

export function conversationRoutes(services: Services): Router {
  const { db, dispatcher } = services;
  const router = Router();
  router.param('id', uuidParam('Conversation'));
  const page = conversationPage(services);
  const done = afterChange(services);

  router.get('/conversations/:id', page);
  router.get('/conversations/:id/head', conversationHead(services));

  // The thread again (a live refresh: from its oldest shown message on), or the messages before one ("earlier messages").
  router.get(
    '/conversations/:id/thread',
    validate(threadQuery, (req) => req.query),
    async (req, res) => {
      const { before, from } = res.locals.input;
      const conversation = await findConversationDetail(db, pathId(req));
      if (!conversation) throw new NotFound('Conversation');
      const channel = await findChannel(db, conversation.channelId);
      const { moderation } = channelAbilities(channel && services.connectors.of(channel.kind), channel, conversation.threadKey);
      // a website chat's replies show whether the visitor has read them
      const [{ messages, earlier }, chat] = await Promise.all([
        loadThread(db, conversation.id, before ? { before } : { from }),
        conversation.channelKind === 'webchat' ? findChatFacts(db, conversation.id) : undefined,
      ]);
      const visitorReadAt = chat?.visitorReadAt ?? null;
      // "earlier messages" are put in the button's place, and the newest of them takes the focus
      res.render(before ? 'partials/thread-items' : 'partials/thread', {
        conversation,
        moderation,
        messages,
        earlier,
        visitorReadAt,
        focusNewest: Boolean(before),
      });
    },
  );

  router.post(
    '/conversations/:id/replies',
    requirePermission('conversation.reply'),
    rerenderForm('reply', page),
    validate(replyForm, bodyWithId('conversationId')),
    async (req, res) => {
      const { conversationId, text, lastSeenMessageId, cannedId, andClose, privately } = res.locals.input;
      const user = req.user!;
      await inTransaction(db, dispatcher, async (tx, effects) => {
        const reply = await queueReply(
          tx,
          effects,
          { conversationId, text, lastSeenMessageId, privately, author: { id: user.id, name: user.name } },
          userActor(user, req.ip),
          services.connectors,
          services.caseLink,
        );
        if (cannedId) await recordCannedUse(tx, cannedId); // a canned response inserted into this reply counts as used
        // A reply that waits for approval has not answered the customer yet: the conversation stays open.
        if (andClose && reply.deliveryState === 'queued') await changeStatus(tx, effects, { conversationId, status: 'closed' }, actingUser(req));
      });
      await clearPresence(services, conversationId, user.id);
      await done(req, res);
    },
  );

  return router;
}
