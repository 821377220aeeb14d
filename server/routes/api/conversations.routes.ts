/**
 * The conversation API for integrations (user API token): list, read, reply, and the case actions — assign,
 * status, notes, tags, priority. Each body is parsed with its command's own schema; handlers call one command.
 */
import { Router } from 'express';
import { findConversationDetail, listInbox } from '../../db/repositories/conversations.repo';
import { listMessages } from '../../db/repositories/messages.repo';
import { listTasksOf } from '../../db/repositories/tasks.repo';
import { userActor } from '../../domain/audit/actor';
import { addNote, noteInput } from '../../domain/conversations/addNote';
import { assignConversation, assignInput } from '../../domain/conversations/assignConversation';
import { changeStatus, statusInput } from '../../domain/conversations/changeStatus';
import { priorityInput, setPriority, tagConversation, tagsInput } from '../../domain/conversations/tagConversation';
import { inTransaction } from '../../domain/effects';
import { parseInput } from '../../domain/parseInput';
import { queueReply } from '../../domain/replies/queueReply';
import { forgetExpiredKeys, parseIdempotencyKey, requestFingerprint, runIdempotent } from '../../domain/replies/idempotentRequest';
import { resolutionInput, resolveUncertainDelivery } from '../../domain/replies/resolveUncertainDelivery';
import type { Tx } from '../../db/client';
import type { Effects } from '../../domain/effects';
import { NotFound } from '../../errors';
import { translator } from '../../i18n/translate';
import { requirePermission } from '../../middleware/auth';
import { bodyWithId, pathId, resolutionOf, uuidParam, validate } from '../../middleware/validate';
import { presentConversation, presentConversationSummary } from '../../presenters/conversation.presenter';
import type { Services } from '../../services';
import { actingUser } from '../actor';
import { inboxQuery, replyBody } from '../conversations.schema';

export function conversationApiRoutes({ db, dispatcher, connectors, caseLink }: Services): Router {
  const router = Router();
  router.param('id', uuidParam('Conversation'));
  router.param('messageId', uuidParam('Reply'));
  const withId = bodyWithId('conversationId');

  // The role check comes before the body is read: a role that may never do it gets 403, not a 400 about its body.
  const work = requirePermission('conversation.work');

  router.get('/conversations', requirePermission('conversation.read'), async (req, res) => {
    const q = parseInput(inboxQuery, req.query, 'query');
    const assigneeId = q.assigneeId === 'me' ? req.user!.id : q.assigneeId;
    const rows = await listInbox(db, { ...q, assigneeId });
    res.json({ conversations: rows.map(presentConversationSummary), limit: q.limit, offset: q.offset });
  });

  router.get('/conversations/:id', requirePermission('conversation.read'), async (req, res) => {
    const conversation = await findConversationDetail(db, pathId(req));
    if (!conversation) throw new NotFound('Conversation');
    const { locale } = req.user!;
    res.json(
      presentConversation(conversation, await listMessages(db, conversation.id), { t: translator(locale), locale }, await listTasksOf(db, conversation.id)),
    );
  });

  router.post('/conversations/:id/replies', requirePermission('conversation.reply'), validate(replyBody), async (req, res) => {
    const { text, lastSeenMessageId } = res.locals.input;
    const conversationId = pathId(req);
    const key = parseIdempotencyKey(req.get('idempotency-key'));
    const user = req.user!;
    const queue = (tx: Tx, effects: Effects) =>
      queueReply(
        tx,
        effects,
        { conversationId, text, lastSeenMessageId, author: { id: user.id, name: user.name } },
        userActor(user, req.ip),
        connectors,
        caseLink,
      );
    if (key === undefined) return void res.status(202).json(await inTransaction(db, dispatcher, queue));
    // Idempotency-Key: one reply per key and user; a repeat gets the first answer (domain/replies/idempotentRequest.ts).
    await forgetExpiredKeys(db);
    const fingerprint = requestFingerprint(`POST /conversations/${conversationId}/replies`, { text, lastSeenMessageId: lastSeenMessageId ?? null });
    const answer = await inTransaction(db, dispatcher, (tx, effects) =>
      runIdempotent(tx, { userId: user.id, key, fingerprint }, 202, () => queue(tx, effects)),
    );
    if (answer.replayed) res.set('Idempotent-Replayed', 'true');
    res.status(answer.status).json(answer.body);
  });

  // A reply in "uncertain" (its send was interrupted): { "resolution": "sent" | "resend" }.
  router.post(
    '/conversations/:id/replies/:messageId/delivery',
    requirePermission('conversation.reply'),
    validate(resolutionInput, resolutionOf),
    async (req, res) => {
      res.json(await inTransaction(db, dispatcher, (tx, effects) => resolveUncertainDelivery(tx, effects, res.locals.input, userActor(req.user!, req.ip))));
    },
  );

  router.post('/conversations/:id/assign', work, validate(assignInput, withId), async (req, res) => {
    res.json(await inTransaction(db, dispatcher, (tx, effects) => assignConversation(tx, effects, res.locals.input, actingUser(req))));
  });

  router.post('/conversations/:id/status', work, validate(statusInput, withId), async (req, res) => {
    res.json(await inTransaction(db, dispatcher, (tx, effects) => changeStatus(tx, effects, res.locals.input, actingUser(req))));
  });

  router.post('/conversations/:id/notes', work, validate(noteInput, withId), async (req, res) => {
    res.status(201).json(await inTransaction(db, dispatcher, (tx, effects) => addNote(tx, effects, res.locals.input, actingUser(req))));
  });

  router.post('/conversations/:id/tags', work, validate(tagsInput, withId), async (req, res) => {
    res.json(await inTransaction(db, dispatcher, (tx, effects) => tagConversation(tx, effects, res.locals.input, actingUser(req))));
  });

  router.post('/conversations/:id/priority', work, validate(priorityInput, withId), async (req, res) => {
    res.json(await inTransaction(db, dispatcher, (tx, effects) => setPriority(tx, effects, res.locals.input, actingUser(req))));
  });

  return router;
}
