/**
 * Tasks of multi-step cases for integrations: add a task to a conversation, complete or reopen one, and list a
 * person's tasks (overdue first). Each body is parsed with its command's own schema; handlers call one command.
 */
import { Router, type Request } from 'express';
import { listTasksFor } from '../../db/repositories/tasks.repo';
import { inTransaction } from '../../domain/effects';
import { parseInput } from '../../domain/parseInput';
import { completeTask, reopenTask, taskIdInput } from '../../domain/tasks/completeTask';
import { createTask, taskInput } from '../../domain/tasks/createTask';
import { Forbidden } from '../../errors';
import { requirePermission } from '../../middleware/auth';
import { bodyWithId, uuidParam, validate } from '../../middleware/validate';
import { presentMyTask } from '../../presenters/task.presenter';
import type { Services } from '../../services';
import { actingUser } from '../actor';
import { taskListQuery } from '../tasks.schema';

export function taskApiRoutes({ db, dispatcher }: Services): Router {
  const router = Router();
  router.param('id', uuidParam('Conversation'));
  router.param('taskId', uuidParam('Task'));
  const work = requirePermission('conversation.work');
  const byTaskId = (req: Request) => ({ taskId: req.params.taskId });

  router.post('/conversations/:id/tasks', work, validate(taskInput, bodyWithId('conversationId')), async (req, res) => {
    res.status(201).json(await inTransaction(db, dispatcher, (tx, effects) => createTask(tx, effects, res.locals.input, actingUser(req))));
  });

  router.post('/tasks/:taskId/complete', work, validate(taskIdInput, byTaskId), async (req, res) => {
    res.json(await inTransaction(db, dispatcher, (tx, effects) => completeTask(tx, effects, res.locals.input, actingUser(req))));
  });

  router.post('/tasks/:taskId/reopen', work, validate(taskIdInput, byTaskId), async (req, res) => {
    res.json(await inTransaction(db, dispatcher, (tx, effects) => reopenTask(tx, effects, res.locals.input, actingUser(req))));
  });

  router.get('/tasks', work, async (req, res) => {
    const q = parseInput(taskListQuery, req.query, 'query');
    const user = req.user!;
    const userId = q.assigneeId === 'me' ? user.id : q.assigneeId;
    if (userId !== user.id && user.role !== 'manager') throw new Forbidden("Only managers list someone else's tasks");
    const now = new Date();
    const rows = await listTasksFor(db, { userId, state: q.state, limit: q.limit }, now);
    res.json({ tasks: rows.map((r) => presentMyTask(r, now)), limit: q.limit });
  });

  return router;
}
