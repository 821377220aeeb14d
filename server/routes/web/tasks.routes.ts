/**
 * Tasks in the console: the conversation page's tasks panel (add, complete, reopen — each answers with the
 * page's #conversation-main fragment, a refusal shown at the panel) and "Meine Aufgaben", the tasks assigned to
 * the signed-in user or to their teams, overdue first.
 */
import { Router, type Request, type Response } from 'express';
import { listTasksFor } from '../../db/repositories/tasks.repo';
import { inTransaction } from '../../domain/effects';
import { completeTask, reopenTask, taskIdInput } from '../../domain/tasks/completeTask';
import { createTask, taskInput } from '../../domain/tasks/createTask';
import { parseInput } from '../../domain/parseInput';
import { requirePermission } from '../../middleware/auth';
import { rerenderForm } from '../../middleware/errors';
import { formList, uuidParam, validate } from '../../middleware/validate';
import { presentMyTask } from '../../presenters/task.presenter';
import type { Services } from '../../services';
import { actingUser } from '../actor';
import { taskListQuery } from '../tasks.schema';
import { afterChange, conversationPage } from './conversationPage';

const blank = (v: unknown) => v === undefined || v === '';

/** The panel's form: one "for" choice (`user:<id>`, `user:me` or `team:<id>`), business hours or a date, the steps it comes after. */
const taskForm = (req: Request) => {
  const [kind, id] = String(req.body.owner ?? '').split(':');
  return {
    conversationId: req.params.id,
    title: req.body.title,
    ...(kind === 'user' ? { assigneeId: id === 'me' ? req.user!.id : id } : kind === 'team' ? { teamId: id } : {}),
    dueInBusinessHours: blank(req.body.dueHours) ? undefined : Number(req.body.dueHours),
    dueDate: blank(req.body.dueDate) ? undefined : req.body.dueDate,
    dependsOn: formList(req.body.dependsOn).map(Number),
  };
};

const onConversation = (req: Request) => ({ taskId: req.params.taskId, conversationId: req.params.id });

export function taskRoutes(services: Services): Router {
  const { db, dispatcher } = services;
  const router = Router();
  router.param('id', uuidParam('Conversation'));
  router.param('taskId', uuidParam('Task'));
  const work = requirePermission('conversation.work');
  const refused = rerenderForm('task', conversationPage(services));
  const done = afterChange(services);

  router.post('/conversations/:id/tasks', work, refused, validate(taskInput, taskForm), async (req, res) => {
    await inTransaction(db, dispatcher, (tx, effects) => createTask(tx, effects, res.locals.input, actingUser(req)));
    await done(req, res);
  });

  router.post('/conversations/:id/tasks/:taskId/complete', work, refused, validate(taskIdInput, onConversation), async (req, res) => {
    await inTransaction(db, dispatcher, (tx, effects) => completeTask(tx, effects, res.locals.input, actingUser(req)));
    await done(req, res);
  });

  router.post('/conversations/:id/tasks/:taskId/reopen', work, refused, validate(taskIdInput, onConversation), async (req, res) => {
    await inTransaction(db, dispatcher, (tx, effects) => reopenTask(tx, effects, res.locals.input, actingUser(req)));
    await done(req, res);
  });

  const myTasks = async (req: Request, res: Response) => {
    const q = parseInput(taskListQuery.omit({ assigneeId: true }), req.query, 'query');
    const now = new Date();
    const rows = await listTasksFor(db, { userId: req.user!.id, state: q.state, limit: q.limit }, now);
    res.render('tasks', { tasks: rows.map((r) => presentMyTask(r, now)), state: q.state });
  };
  router.get('/tasks', work, myTasks);

  // "Erledigt" on "Meine Aufgaben": back to the list, or the list again with the refusal
  router.post(
    '/tasks/:taskId/complete',
    work,
    rerenderForm('tasks', myTasks),
    validate(taskIdInput, (req) => ({ taskId: req.params.taskId })),
    async (req, res) => {
      await inTransaction(db, dispatcher, (tx, effects) => completeTask(tx, effects, res.locals.input, actingUser(req)));
      res.redirect(303, '/tasks');
    },
  );

  return router;
}
