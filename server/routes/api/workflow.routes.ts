/**
 * The case-workflow API (user API token): assign, status, notes, tags, priority, canned responses and
 * the audit CSV export. Handlers parse, call one command, answer.
 */
import { Router, type Request } from 'express';
import { listCanned } from '../../db/repositories/cannedResponses.repo';
import { listNotifications } from '../../db/repositories/notifications.repo';
import { userActor } from '../../domain/audit/actor';
import { exportAuditCsv } from '../../domain/audit/exportAudit';
import { assignConversation } from '../../domain/conversations/assignConversation';
import { changeStatus, type StatusInput } from '../../domain/conversations/changeStatus';
import { inTransaction } from '../../domain/effects';
import { parseInput } from '../../domain/parseInput';
import { addNote } from '../../domain/conversations/addNote';
import { createCannedResponse, editCannedResponse } from '../../domain/cannedResponses/cannedResponses';
import { setPriority, tagConversation } from '../../domain/conversations/tagConversation';
import { NotFound } from '../../errors';
import { requirePermission } from '../../middleware/auth';
import type { Services } from '../../services';
import { auditQuery } from '../audit.schema';
import { idParam } from '../conversations.schema';
import { assignBody, noteBody, priorityBody, statusBody, tagsBody } from '../workflow.schema';

export function conversationIdOf(req: Request): string {
  const parsed = idParam.safeParse(req.params);
  if (!parsed.success) throw new NotFound('Conversation');
  return parsed.data.id;
}

export function workflowApiRoutes({ db, dispatcher }: Services): Router {
  const router = Router();
  const by = (req: Request) => ({ actor: userActor(req.user!, req.ip), role: req.user!.role, user: req.user! });

  router.post('/conversations/:id/assign', async (req, res) => {
    const conversationId = conversationIdOf(req);
    const body = parseInput(assignBody, req.body, 'assignment');
    const result = await inTransaction(db, dispatcher, (tx, effects) => assignConversation(tx, effects, { conversationId, ...body }, by(req)));
    res.json(result);
  });

  router.post('/conversations/:id/status', async (req, res) => {
    const conversationId = conversationIdOf(req);
    const body = parseInput(statusBody, req.body, 'status change');
    const result = await inTransaction(db, dispatcher, (tx, effects) =>
      changeStatus(tx, effects, { conversationId, ...body } as StatusInput, by(req)));
    res.json(result);
  });

  router.post('/conversations/:id/notes', async (req, res) => {
    const conversationId = conversationIdOf(req);
    const { text } = parseInput(noteBody, req.body, 'note');
    const result = await inTransaction(db, dispatcher, (tx, effects) => addNote(tx, effects, { conversationId, text }, by(req)));
    res.status(201).json(result);
  });

  router.post('/conversations/:id/tags', async (req, res) => {
    const conversationId = conversationIdOf(req);
    const body = parseInput(tagsBody, req.body, 'tags');
    res.json(await inTransaction(db, dispatcher, (tx, effects) => tagConversation(tx, effects, { conversationId, ...body }, by(req))));
  });

  router.post('/conversations/:id/priority', async (req, res) => {
    const conversationId = conversationIdOf(req);
    const { priority } = parseInput(priorityBody, req.body, 'priority');
    res.json(await inTransaction(db, dispatcher, (tx, effects) =>
      setPriority(tx, effects, { conversationId, priority: priority as 'normal' }, by(req))));
  });

  router.get('/canned-responses', requirePermission('conversation.read'), async (_req, res) => {
    res.json({ cannedResponses: await listCanned(db) });
  });

  router.post('/canned-responses', async (req, res) => {
    const created = await db.transaction().execute((tx) => createCannedResponse(tx, req.body ?? {}, by(req)));
    res.status(201).json(created);
  });

  router.post('/canned-responses/:id', async (req, res) => {
    const { id } = parseInput(idParam.catch({ id: '' }), req.params, 'id');
    if (!id) throw new NotFound('Canned response');
    res.json(await db.transaction().execute((tx) => editCannedResponse(tx, id, req.body ?? {}, by(req))));
  });

  router.get('/notifications', async (req, res) => {
    res.json({ notifications: await listNotifications(db, req.user!.id) });
  });

  router.get('/audit.csv', requirePermission('audit.read'), async (req, res) => {
    const { limit: _limit, ...filter } = parseInput(auditQuery, req.query, 'query');
    const { csv } = await exportAuditCsv(db, filter, userActor(req.user!, req.ip));
    res.type('text/csv; charset=utf-8').attachment('audit.csv').send(csv);
  });

  return router;
}
