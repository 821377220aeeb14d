/** The conversation API for integrations: list, read, reply. User API token required. */
import { Router } from 'express';
import { findConversationDetail, listInbox } from '../../db/repositories/conversations.repo';
import { listMessages } from '../../db/repositories/messages.repo';
import { userActor } from '../../domain/audit/actor';
import { queueReply } from '../../domain/replies/queueReply';
import { forgetExpiredKeys, parseIdempotencyKey, requestFingerprint, runIdempotent } from '../../domain/replies/idempotentRequest';
import { resolveUncertainDelivery } from '../../domain/replies/resolveUncertainDelivery';
import type { Tx } from '../../db/client';
import { inTransaction, type Effects } from '../../domain/effects';
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
    const key = parseIdempotencyKey(req.get('idempotency-key'));
    const { text, lastSeenMessageId } = parseInput(replyBody, req.body, 'reply');
    const user = req.user!;
    const queue = (tx: Tx, effects: Effects) =>
      queueReply(tx, effects, { conversationId: id, text, lastSeenMessageId, author: { id: user.id, name: user.name } }, userActor(user, req.ip))
        .then(({ messageId }) => ({ messageId, deliveryState: 'queued' }));
    if (key === undefined) return void res.status(202).json(await inTransaction(db, dispatcher, queue));
    // Idempotency-Key: one reply per key and user; a repeat gets the first answer (domain/replies/idempotentRequest.ts).
    await forgetExpiredKeys(db);
    const fingerprint = requestFingerprint(`POST /conversations/${id}/replies`, { text, lastSeenMessageId: lastSeenMessageId ?? null });
    const answer = await inTransaction(db, dispatcher, (tx, effects) => runIdempotent(tx, { userId: user.id, key, fingerprint }, 202, () => queue(tx, effects)));
    if (answer.replayed) res.set('Idempotent-Replayed', 'true');
    res.status(answer.status).json(answer.body);
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
