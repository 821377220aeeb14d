/** The conversation API for integrations: list, read, reply. User API token required. */
import { Router } from 'express';
import { findConversationDetail, listInbox } from '../../db/repositories/conversations.repo';
import { listMessages } from '../../db/repositories/messages.repo';
import { userActor } from '../../domain/audit/actor';
import { queueReply } from '../../domain/replies/queueReply';
import { resolveUncertainDelivery } from '../../domain/replies/resolveUncertainDelivery';
import { inTransaction } from '../../domain/effects';
import { NotFound } from '../../errors';
import { requirePermission } from '../../middleware/auth';
import { parseInput } from '../../domain/parseInput';
import { presentConversation, presentConversationSummary } from '../../presenters/conversation.presenter';
import type { Services } from '../../services';
import { idParam, inboxQuery, replyBody } from '../conversations.schema';

export function conversationApiRoutes({ db, dispatcher }: Services): Router {
  const router = Router();

  router.get('/conversations', requirePermission('conversation.read'), async (req, res) => {
    const q = parseInput(inboxQuery, req.query, 'query');
    const assigneeId = q.assigneeId === 'me' ? req.user!.id : q.assigneeId;
    const rows = await listInbox(db, { ...q, assigneeId });
    res.json({ conversations: rows.map(presentConversationSummary), limit: q.limit, offset: q.offset });
  });

  router.get('/conversations/:id', requirePermission('conversation.read'), async (req, res) => {
    const { id } = parseInput(idParam.catch({ id: '' }), req.params, 'id');
    const conversation = id ? await findConversationDetail(db, id) : undefined;
    if (!conversation) throw new NotFound('Conversation');
    res.json(presentConversation(conversation, await listMessages(db, id)));
  });

  router.post('/conversations/:id/replies', requirePermission('conversation.reply'), async (req, res) => {
    const { id } = parseInput(idParam.catch({ id: '' }), req.params, 'id');
    if (!id) throw new NotFound('Conversation');
    const { text, lastSeenMessageId } = parseInput(replyBody, req.body, 'reply');
    const user = req.user!;
    const { messageId } = await inTransaction(db, dispatcher, (tx, effects) =>
      queueReply(tx, effects, { conversationId: id, text, lastSeenMessageId, author: { id: user.id, name: user.name } }, userActor(user, req.ip)));
    res.status(202).json({ messageId, deliveryState: 'queued' });
  });

  // A reply in "uncertain" (its send was interrupted): { "resolution": "sent" | "resend" }.
  router.post('/conversations/:id/replies/:messageId/delivery', requirePermission('conversation.reply'), async (req, res) => {
    const { id } = parseInput(idParam.catch({ id: '' }), req.params, 'id');
    const { id: messageId } = parseInput(idParam.catch({ id: '' }), { id: req.params.messageId }, 'id');
    if (!id || !messageId) throw new NotFound('Reply');
    const user = req.user!;
    const result = await inTransaction(db, dispatcher, (tx, effects) =>
      resolveUncertainDelivery(tx, effects, { conversationId: id, messageId, resolution: req.body?.resolution }, userActor(user, req.ip)));
    res.json(result);
  });

  return router;
}
