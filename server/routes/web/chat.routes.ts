/**
 * A website chat on the conversation page: its facts (re-read on the chat's live events), accepting a ringing
 * chat, ending it. Accept and end answer like the page's other actions (the #conversation-main fragment or a
 * redirect); a refusal shows its reason at the action bar.
 */
import { Router } from 'express';
import { findChatFacts } from '../../db/repositories/chatSessions.repo';
import { findConversationDetail } from '../../db/repositories/conversations.repo';
import { inTransaction } from '../../domain/effects';
import { acceptChat } from '../../domain/webchat/acceptChat';
import { endChat } from '../../domain/webchat/endChat';
import { NotFound } from '../../errors';
import { translator } from '../../i18n/translate';
import { requirePermission } from '../../middleware/auth';
import { rerenderForm } from '../../middleware/errors';
import { pathId, uuidParam } from '../../middleware/validate';
import { presentChat } from '../../presenters/chat.presenter';
import type { Services } from '../../services';
import { actingUser } from '../actor';
import { afterChange, conversationPage } from './conversationPage';

export function chatRoutes(services: Services): Router {
  const { db, dispatcher } = services;
  const router = Router();
  router.param('id', uuidParam('Conversation'));
  const work = requirePermission('conversation.work');
  const refused = rerenderForm('action', conversationPage(services));
  const done = afterChange(services);

  router.get('/conversations/:id/chat', async (req, res) => {
    const [conversation, facts] = await Promise.all([findConversationDetail(db, pathId(req)), findChatFacts(db, pathId(req))]);
    if (!conversation || !facts) throw new NotFound('Chat');
    res.render('partials/conversations/chat-facts', { conversation, chat: presentChat(facts, translator(req.user!.locale)) });
  });

  router.post('/conversations/:id/chat/accept', work, refused, async (req, res) => {
    await inTransaction(db, dispatcher, (tx, effects) => acceptChat(tx, effects, pathId(req), actingUser(req)));
    await done(req, res);
  });

  // ended by the agent: the conversation closes (the slot is freed) and the visitor's widget hears of it
  router.post('/conversations/:id/chat/end', work, refused, async (req, res) => {
    const { actor, role } = actingUser(req);
    await inTransaction(db, dispatcher, (tx, effects) => endChat(tx, effects, { conversationId: pathId(req), reason: 'agent' }, { actor, role }));
    await done(req, res);
  });

  return router;
}
