/**
 * The console's case-workflow actions: action bar (assign, save, close, reopen, priority, tags), notes,
 * presence, canned-response search and insertion, notifications, inbox bulk actions, saved views, canned-response
 * settings and the audit CSV download. Success on the conversation page reloads its main fragment
 * (HX-Location); a refused action shows its reason next to the action bar.
 */
import { Router, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { findChannel } from '../../db/repositories/channels.repo';
import { findCanned, listCanned, searchCanned } from '../../db/repositories/cannedResponses.repo';
import { findConversationDetail } from '../../db/repositories/conversations.repo';
import { countUnread, listNotifications, markAllRead } from '../../db/repositories/notifications.repo';
import { deleteSavedView, upsertSavedView } from '../../db/repositories/savedViews.repo';
import { listStaff } from '../../db/repositories/conversationState.repo';
import { userActor } from '../../domain/audit/actor';
import { exportAuditCsv } from '../../domain/audit/exportAudit';
import { assignConversation } from '../../domain/conversations/assignConversation';
import { changeStatus, type StatusInput } from '../../domain/conversations/changeStatus';
import { inTransaction } from '../../domain/effects';
import { parseInput } from '../../domain/parseInput';
import { addNote } from '../../domain/conversations/addNote';
import { createCannedResponse, editCannedResponse, fillCannedFor } from '../../domain/cannedResponses/cannedResponses';
import { zonedLocalToDate } from '../../domain/workflow/localTime';
import { markTyping, whoIsTyping } from '../../domain/presence/typing';
import { setPriority, tagConversation } from '../../domain/conversations/tagConversation';
import { BadRequest, HttpError, NotFound } from '../../errors';
import { DEFAULT_TIME_ZONE } from '../../i18n/translate';
import { requirePermission } from '../../middleware/auth';
import type { Services } from '../../services';
import { auditQuery } from '../audit.schema';
import { conversationIdOf } from '../api/workflow.routes';
import { idParam } from '../conversations.schema';

type Handler = (req: Request, res: Response) => Promise<void>;

/** Refused actions (4xx) answer with their reason: into #action-error for htmx, an error page otherwise. */
function action(handler: Handler, errorTarget = '#action-error') {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      await handler(req, res);
    } catch (err) {
      if (!(err instanceof HttpError) || err.status >= 500) return next(err);
      res.status(err.status);
      if (req.get('hx-request')) {
        res.set('HX-Retarget', errorTarget).set('HX-Reswap', 'innerHTML');
        return res.render('partials/flash-error', { message: err.message });
      }
      res.render('error', { status: err.status, message: err.message });
    }
  };
}

function reloadConversation(req: Request, res: Response, id: string) {
  if (req.get('hx-request')) {
    res.set('HX-Location', JSON.stringify({ path: `/conversations/${id}`, target: '#conversation-main', swap: 'outerHTML' })).status(200).end();
    return;
  }
  res.redirect(303, `/conversations/${id}`);
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' && v ? [v] : []);

export function workflowRoutes(services: Services): Router {
  const { db, dispatcher, redis, config, live, connectors } = services;
  const router = Router();
  const by = (req: Request) => ({ actor: userActor(req.user!, req.ip), role: req.user!.role, user: req.user! });
  const work = requirePermission('conversation.work');

  router.post('/conversations/:id/assign', work, action(async (req, res) => {
    const conversationId = conversationIdOf(req);
    const who = str(req.body.assigneeId) ?? '';
    const assigneeId = who === 'me' ? req.user!.id : who || null;
    const team = str(req.body.teamId);
    await inTransaction(db, dispatcher, (tx, effects) => assignConversation(tx, effects, {
      conversationId, assigneeId, teamId: team === undefined || team === 'keep' ? undefined : team || null, version: str(req.body.version),
    }, by(req)));
    reloadConversation(req, res, conversationId);
  }));

  router.post('/conversations/:id/status', work, action(async (req, res) => {
    const conversationId = conversationIdOf(req);
    const local = str(req.body.remindAt);
    let remindAt: string | undefined;
    if (local) {
      const at = zonedLocalToDate(local, DEFAULT_TIME_ZONE);
      if (!at) throw new BadRequest('remindAt: not a date and time', { fields: { remindAt: 'invalid' } });
      remindAt = at.toISOString();
    }
    await inTransaction(db, dispatcher, (tx, effects) => changeStatus(tx, effects, {
      conversationId, status: str(req.body.status) ?? '', reason: str(req.body.reason), remindAt, version: str(req.body.version),
    } as StatusInput, by(req)));
    reloadConversation(req, res, conversationId);
  }));

  router.post('/conversations/:id/notes', work, action(async (req, res) => {
    const conversationId = conversationIdOf(req);
    await inTransaction(db, dispatcher, (tx, effects) => addNote(tx, effects, { conversationId, text: str(req.body.text) ?? '' }, by(req)));
    reloadConversation(req, res, conversationId);
  }, '#note-error'));

  router.post('/conversations/:id/tags', work, action(async (req, res) => {
    const conversationId = conversationIdOf(req);
    const add = (str(req.body.add) ?? '').split(',').map((t) => t.trim()).filter(Boolean);
    await inTransaction(db, dispatcher, (tx, effects) => tagConversation(tx, effects, { conversationId, add, remove: list(req.body.remove) }, by(req)));
    reloadConversation(req, res, conversationId);
  }));

  router.post('/conversations/:id/priority', work, action(async (req, res) => {
    const conversationId = conversationIdOf(req);
    await inTransaction(db, dispatcher, (tx, effects) =>
      setPriority(tx, effects, { conversationId, priority: (str(req.body.priority) ?? '') as 'normal' }, by(req)));
    reloadConversation(req, res, conversationId);
  }));

  // Presence: the reply box pings while its user types; others see "X is replying…".
  router.post('/conversations/:id/typing', requirePermission('conversation.reply'), async (req, res) => {
    const conversationId = conversationIdOf(req);
    await markTyping(redis, config.redisPrefix, conversationId, req.user!);
    await live.publish({ type: 'presence', conversationId, userId: req.user!.id });
    res.status(204).end();
  });

  router.get('/conversations/:id/presence', async (req, res) => {
    const conversationId = conversationIdOf(req);
    res.render('partials/presence/typing', { conversationId, typing: await whoIsTyping(redis, config.redisPrefix, conversationId, req.user!.id) });
  });

  // Canned responses in the reply box: `/shortcut` at the end of the text, or words in the search field.
  router.get('/conversations/:id/canned', requirePermission('conversation.reply'), async (req, res) => {
    const conversationId = conversationIdOf(req);
    const text = str(req.query.text) ?? '';
    const slash = /(?:^|\s)\/([a-z0-9_-]{0,40})$/i.exec(text);
    const term = (str(req.query.q) ?? '').trim().slice(0, 60) || (slash ? slash[1] ?? '' : null);
    const conversation = term === null ? undefined : await findConversationDetail(db, conversationId);
    const matches = conversation && term !== null ? await searchCanned(db, term, conversation.channelKind) : [];
    res.render('partials/cannedResponses/matches', { matches, conversationId });
  });

  router.get('/conversations/:id/canned/:cannedId', requirePermission('conversation.reply'), async (req, res) => {
    const conversationId = conversationIdOf(req);
    const cannedId = z.uuid().safeParse(req.params.cannedId);
    if (!cannedId.success) throw new NotFound('Canned response');
    const filled = await fillCannedFor(db, cannedId.data, conversationId, req.user!);
    // The filled text replaces a trailing `/shortcut`, or is appended to what was typed.
    const typed = (str(req.query.text) ?? '').replace(/(?:^|\s)\/[a-z0-9_-]{0,40}$/i, (m) => (m.startsWith('/') ? '' : m[0] ?? ''));
    const composerText = typed.trim() ? `${typed.trimEnd()}\n${filled.text}` : filled.text;
    const conversation = await findConversationDetail(db, conversationId);
    const channel = conversation ? await findChannel(db, conversation.channelId) : undefined;
    const connector = channel ? connectors.of(channel.kind) : undefined;
    res.render('partials/replies/composer', {
      composerText, draft: '', cannedId: filled.canned.id, unknownVariables: filled.unknown,
      maxTextLength: channel && connector ? connector.limits(channel).maxTextLength : null, conversation: { id: conversationId },
    });
  });

  // Notifications: the bell in the top bar and the list.
  router.get('/notifications/bell', async (req, res) => {
    res.render('partials/notifications/bell', { unread: await countUnread(db, req.user!.id) });
  });
  router.get('/notifications', async (req, res) => {
    const notifications = await listNotifications(db, req.user!.id);
    await markAllRead(db, req.user!.id);
    res.render('notifications', { notifications });
  });

  // Bulk actions on a selection in the inbox: each conversation is its own command, transaction and audit event.
  router.post('/inbox/bulk', work, action(async (req, res) => {
    const ids = list(req.body.ids).filter((id) => idParam.safeParse({ id }).success).slice(0, 200);
    const kind = str(req.body.action);
    if (!ids.length) throw new BadRequest(res.locals.t('bulk.noneSelected'));
    const failures: string[] = [];
    for (const conversationId of ids) {
      try {
        await inTransaction(db, dispatcher, async (tx, effects) => {
          if (kind === 'assign_me') return assignConversation(tx, effects, { conversationId, assigneeId: req.user!.id }, by(req));
          if (kind === 'assign') return assignConversation(tx, effects, { conversationId, assigneeId: str(req.body.assigneeId) || null }, by(req));
          if (kind === 'tag') return tagConversation(tx, effects, { conversationId, add: [str(req.body.tag) ?? ''] }, by(req));
          if (kind === 'close') return changeStatus(tx, effects, { conversationId, status: 'closed', reason: str(req.body.reason) }, by(req));
          throw new BadRequest('action: choose assign, tag or close');
        });
      } catch (err) {
        if (!(err instanceof HttpError) || err.status >= 500) throw err;
        failures.push(err.message);
      }
    }
    res.render('partials/inbox/bulk-result', { done: ids.length - failures.length, failures });
  }, '#bulk-result'));

  // Saved views: a name and the inbox query string.
  router.post('/saved-views', action(async (req, res) => {
    const body = parseInput(z.object({ name: z.string().trim().min(1).max(60), query: z.string().max(1000) }), req.body, 'view');
    const query = new URLSearchParams(body.query.replace(/^\?/, ''));
    for (const key of [...query.keys()]) if (!['status', 'channelId', 'assigneeId', 'sort', 'q', 'tag'].includes(key)) query.delete(key);
    await upsertSavedView(db, { userId: req.user!.id, name: body.name, query: query.toString() });
    res.redirect(303, `/inbox?${query.toString()}`);
  }, '#saved-view-error'));
  router.post('/saved-views/:id/delete', async (req, res) => {
    const { id } = parseInput(idParam.catch({ id: '' }), req.params, 'id');
    if (id) await deleteSavedView(db, req.user!.id, id);
    res.redirect(303, '/inbox');
  });

  // Canned responses, managed by managers.
  const manage = requirePermission('canned.manage');
  const cannedBody = (req: Request) => ({
    title: str(req.body.title), shortcut: str(req.body.shortcut), body: str(req.body.body), language: str(req.body.language),
    channelKinds: list(req.body.channelKinds),
  });
  const settingsPage = async (res: Response, extra: { error?: string | null; form?: Record<string, unknown> } = {}) => {
    res.render('settings-canned-responses', { responses: await listCanned(db), error: null, form: {}, ...extra });
  };
  router.get('/settings/canned-responses', manage, async (_req, res) => settingsPage(res));
  router.post('/settings/canned-responses', manage, async (req, res) => {
    try {
      await db.transaction().execute((tx) => createCannedResponse(tx, cannedBody(req) as never, by(req)));
    } catch (err) {
      if (!(err instanceof HttpError) || err.status >= 500) throw err;
      res.status(err.status);
      return settingsPage(res, { error: err.message, form: cannedBody(req) });
    }
    res.redirect(303, '/settings/canned-responses');
  });
  router.post('/settings/canned-responses/:id', manage, async (req, res) => {
    const { id } = parseInput(idParam.catch({ id: '' }), req.params, 'id');
    if (!id || !(await findCanned(db, id))) throw new NotFound('Canned response');
    try {
      await db.transaction().execute((tx) => editCannedResponse(tx, id, cannedBody(req) as never, by(req)));
    } catch (err) {
      if (!(err instanceof HttpError) || err.status >= 500) throw err;
      res.status(err.status);
      return settingsPage(res, { error: err.message });
    }
    res.redirect(303, '/settings/canned-responses');
  });

  // The audit log as CSV (the console's download link); the export is itself audited.
  router.get('/audit/export.csv', requirePermission('audit.read'), async (req, res) => {
    const { limit: _limit, ...filter } = parseInput(auditQuery, req.query, 'filter');
    const { csv } = await exportAuditCsv(db, filter, userActor(req.user!, req.ip));
    res.type('text/csv; charset=utf-8').attachment('audit.csv').send(csv);
  });

  // Mention candidates for the note box's hint.
  router.get('/colleagues', async (_req, res) => {
    res.json((await listStaff(db)).map((u) => ({ name: u.name, handle: u.email.split('@')[0] })));
  });

  return router;
}
