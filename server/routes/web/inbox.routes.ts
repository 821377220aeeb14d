/** The inbox: all channels in one list, filterable, refreshed live. */
import { Router } from 'express';
import { listChannels } from '../../db/repositories/channels.repo';
import { listInbox } from '../../db/repositories/conversations.repo';
import { listUsers } from '../../db/repositories/users.repo';
import { STATUSES } from '../../domain/conversations/status';
import { parseInput } from '../../domain/parseInput';
import type { Services } from '../../services';
import { inboxQuery } from '../conversations.schema';
import { inboxSlaView } from '../../domain/sla/inboxView';
import { renderPageOrFragment } from './render';
import { inboxWorkflowData } from './workflowView';

export function inboxRoutes({ db }: Services): Router {
  const router = Router();
  router.get('/', (_req, res) => res.redirect('/inbox'));
  router.get('/inbox', async (req, res) => {
    const raw = { status: 'open', ...req.query };
    const q = parseInput(inboxQuery, raw, 'filter');
    const assigneeId = q.assigneeId === 'me' ? req.user!.id : q.assigneeId;
    const [conversations, channels, users] = await Promise.all([
      listInbox(db, { ...q, assigneeId, limit: q.limit + 1 }), listChannels(db), listUsers(db),
    ]);
    const filters = {
      status: typeof raw.status === 'string' ? raw.status : 'open', channelId: q.channelId ?? '',
      assigneeId: typeof req.query.assigneeId === 'string' ? req.query.assigneeId : '', sort: q.sort,
      q: q.q ?? '', tag: q.tag ?? '',
    };
    const nextOffset = conversations.length > q.limit ? q.offset + q.limit : null;
    const data = { conversations: conversations.slice(0, q.limit), channels, users, statuses: STATUSES, filters, nextOffset, offset: q.offset };
    Object.assign(data, { sla: await inboxSlaView(db, data.conversations) }); // due time, state, business minutes left
    Object.assign(data, await inboxWorkflowData(db, req.user!, data.conversations.map((c) => c.id))); // bulk, tags, views
    renderPageOrFragment(req, res, 'inbox', q.offset > 0 ? 'partials/inbox-rows' : 'partials/inbox-list', data);
  });
  return router;
}
