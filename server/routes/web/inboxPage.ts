/** The inbox page: all channels in one list, filterable, with SLA due times, tags per row, bulk targets and saved views. */
import type { Request, Response } from 'express';
import { listChannels } from '../../db/repositories/channels.repo';
import { listStaff } from '../../db/repositories/conversationState.repo';
import { listInbox } from '../../db/repositories/conversations.repo';
import { listSavedViews } from '../../db/repositories/savedViews.repo';
import { listPredefinedTags, tagsOfMany } from '../../db/repositories/tags.repo';
import { listUsers } from '../../db/repositories/users.repo';
import { STATUSES } from '../../domain/conversations/status';
import { parseInput } from '../../domain/parseInput';
import { inboxSlaView } from '../../domain/sla/inboxView';
import type { Services } from '../../services';
import { inboxQuery } from '../conversations.schema';
import { renderPageOrFragment } from './render';

/** Renders the inbox for a query (the request's own, or the one a refused saved-view form carried). */
export function inboxPage({ db }: Pick<Services, 'db'>) {
  return async (req: Request, res: Response, query: Record<string, unknown> = req.query): Promise<void> => {
    const raw = { status: 'open', ...query };
    const q = parseInput(inboxQuery, raw, 'filter');
    const user = req.user!;
    const assigneeId = q.assigneeId === 'me' ? user.id : q.assigneeId;
    const [rows, channels, users, staff, predefinedTags, savedViews] = await Promise.all([
      listInbox(db, { ...q, assigneeId, limit: q.limit + 1 }),
      listChannels(db),
      listUsers(db),
      listStaff(db),
      listPredefinedTags(db),
      listSavedViews(db, user.id),
    ]);
    const conversations = rows.slice(0, q.limit);
    const [sla, tagMap] = await Promise.all([
      inboxSlaView(db, conversations),
      tagsOfMany(
        db,
        conversations.map((c) => c.id),
      ),
    ]);
    const filters = {
      status: typeof raw.status === 'string' ? raw.status : 'open',
      channelId: q.channelId ?? '',
      assigneeId: typeof query.assigneeId === 'string' ? query.assigneeId : '',
      sort: q.sort,
      q: q.q ?? '',
      tag: q.tag ?? '',
    };
    renderPageOrFragment(req, res, 'inbox', q.offset > 0 ? 'partials/inbox-rows' : 'partials/inbox-list', {
      conversations,
      channels,
      users,
      statuses: STATUSES,
      filters,
      offset: q.offset,
      nextOffset: rows.length > q.limit ? q.offset + q.limit : null,
      sla,
      tagMap,
      staff,
      predefinedTags: predefinedTags.map((t) => t.name),
      savedViews,
    });
  };
}
