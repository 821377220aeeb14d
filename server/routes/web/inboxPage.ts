/**
 * The inbox as the agent's workspace: the list (filterable, most urgent first, unread per user, search hits marked)
 * and, beside it on wide screens, the open conversation. `/inbox` shows the list; `/inbox/:id` the list with the
 * conversation open. htmx asks for one part by its target: #inbox-list or #conversation-pane.
 */
import type { Request, Response } from 'express';
import { countInbox, type InboxFilter, listInbox, searchHeadlines } from '../../db/repositories/conversations.repo';
import { listSavedViews } from '../../db/repositories/savedViews.repo';
import { inboxLists } from '../../db/repositories/workspaceLists.repo';
import { STATUSES } from '../../domain/conversations/status';
import { parseInput } from '../../domain/parseInput';
import { inboxSlaView } from '../../domain/sla/inboxView';
import { BadRequest } from '../../errors';
import { DEFAULT_TIME_ZONE } from '../../i18n/translate';
import { isHtmx } from '../../middleware/htmx';
import { hitHtml, presentSearchHits } from '../../presenters/searchHit.presenter';
import type { Services } from '../../services';
import { inboxQuery } from '../conversations.schema';
import { conversationPageData } from './conversationPage';

/** The filters the inbox keeps in its URL (and a saved view in its query), in this order. */
export const INBOX_FILTERS = ['status', 'channelId', 'assigneeId', 'teamId', 'priority', 'sla', 'from', 'to', 'unread', 'sort', 'q', 'tag'] as const;

/**
 * The console's defaults: open conversations, most urgent first, 25 rows at a time ("Load more" adds the next 25).
 * A screen shows fewer; each row is a share of the page's rendering, SQL and bytes (the API lists 50).
 */
const CONSOLE_DEFAULTS = { status: 'open', sort: 'urgent', limit: '25' };

/** A saved view's badge counts up to this many ("1000+" beyond). */
const VIEW_COUNT_CAP = 1000;

/** The views every user has, besides their own. */
const PRESET_VIEWS = [
  { key: 'views.myOpen', query: 'assigneeId=me' },
  { key: 'views.unassigned', query: 'status=new&assigneeId=none' },
  { key: 'views.breached', query: 'sla=breached' },
  { key: 'views.unread', query: 'unread=1' },
] as const;

/** The inbox query of a request (or of a saved view), for the repository, as the signed-in user sees it. */
export function inboxFilterOf(req: Request, query: Record<string, unknown>) {
  const raw: Record<string, unknown> = { ...CONSOLE_DEFAULTS, ...query };
  const q = parseInput(inboxQuery, raw, 'filter');
  const user = req.user!;
  const filter: Omit<InboxFilter, 'limit' | 'offset'> = {
    ...q,
    assigneeId: q.assigneeId === 'me' ? user.id : q.assigneeId,
    viewerId: user.id,
    onlyUnread: q.unread === '1',
    timeZone: DEFAULT_TIME_ZONE,
  };
  // What the form shows and the URL keeps: every filter as typed; empty ones and defaults left out of the query string.
  const filters = Object.fromEntries(INBOX_FILTERS.map((k) => [k, typeof raw[k] === 'string' ? (raw[k] as string) : ''])) as Record<
    (typeof INBOX_FILTERS)[number],
    string
  >;
  const isDefault = (k: string, v: string) => v === '' || CONSOLE_DEFAULTS[k as keyof typeof CONSOLE_DEFAULTS] === v;
  const filterQuery = new URLSearchParams(Object.entries(filters).filter(([k, v]) => !isDefault(k, v))).toString();
  return { q, filter, filters, filterQuery };
}

type InboxLists = Awaited<ReturnType<typeof inboxLists>>;

/** The list's data; `lists` when the caller has read them already (the split view shares them with the conversation). */
async function inboxData({ db }: Pick<Services, 'db'>, req: Request, query: Record<string, unknown>, lists?: InboxLists) {
  const { q, filter, filters, filterQuery } = inboxFilterOf(req, query);
  const [rows, { channels, users, staff, teams, predefinedTags, savedViews }] = await Promise.all([
    listInbox(db, { ...filter, limit: q.limit + 1, offset: q.offset }),
    lists ?? inboxLists(db, req.user!.id),
  ]);
  const conversations = rows.slice(0, q.limit);
  const [sla, headlines] = await Promise.all([
    inboxSlaView(db, conversations),
    q.q
      ? searchHeadlines(
          db,
          conversations.map((c) => c.id),
          q.q,
        )
      : Promise.resolve(new Map<string, string>()),
  ]);
  const tagMap = new Map(conversations.map((c) => [c.id, c.tags]));
  return {
    conversations,
    channels,
    users,
    teams,
    statuses: STATUSES,
    filters,
    filterQuery,
    offset: q.offset,
    nextOffset: rows.length > q.limit ? q.offset + q.limit : null,
    sla,
    tagMap,
    hits: q.q ? presentSearchHits(conversations, q.q, headlines) : null,
    hitHtml,
    staff,
    predefinedTags: predefinedTags.map((t) => t.name),
    savedViews,
    presetViews: PRESET_VIEWS,
    viewCounts: null,
    openId: null as string | null,
  };
}

/** htmx wants one part of the page; a history restore (back/forward without a cached snapshot) wants all of it. */
function wantedPart(req: Request): string | null {
  if (!isHtmx(req) || req.get('hx-history-restore-request') === 'true' || req.get('hx-boosted') === 'true') return null;
  return req.get('hx-target') ?? '';
}

/** `/inbox`: the list (the full page, or the #inbox-list fragment and, when paging, just the further rows). */
export function inboxPage(deps: Pick<Services, 'db'>) {
  return async (req: Request, res: Response, query: Record<string, unknown> = req.query): Promise<void> => {
    const data = await inboxData(deps, req, query);
    const part = wantedPart(req);
    if (part === null) return res.render('inbox', data);
    res.render(data.offset > 0 ? 'partials/inbox-rows' : 'partials/inbox-list', data);
  };
}

/** `/inbox/:id`: the list with the conversation open beside it (or below it, on a phone), or one of the two parts. */
export function inboxConversationPage(deps: Pick<Services, 'db' | 'redis' | 'config' | 'connectors' | 'caseLink'>) {
  return async (req: Request, res: Response): Promise<void> => {
    const part = wantedPart(req);
    if (part === 'conversation-pane') {
      const { filterQuery } = inboxFilterOf(req, req.query);
      return res.render('partials/inbox/pane', { ...(await conversationPageData(deps, req)), filterQuery });
    }
    if (part !== null) return inboxPage(deps)(req, res);
    // the filter bar's lists and the conversation's forms share one read of them
    const lists = await inboxLists(deps.db, req.user!.id);
    const [inbox, open] = await Promise.all([inboxData(deps, req, req.query, lists), conversationPageData(deps, req, lists)]);
    res.render('inbox', { ...inbox, ...open, openId: open.conversation.id });
  };
}

/** The saved views and presets with how many conversations each holds now (loaded after the page, refreshed live). */
export function inboxViewCounts({ db }: Pick<Services, 'db'>) {
  return async (req: Request, res: Response): Promise<void> => {
    const { filterQuery } = inboxFilterOf(req, req.query);
    const savedViews = await listSavedViews(db, req.user!.id);
    const queries = [...savedViews.map((v) => v.query), ...PRESET_VIEWS.map((p) => p.query)];
    const counts = await Promise.all(
      queries.map(async (query) => {
        try {
          const { filter } = inboxFilterOf(req, Object.fromEntries(new URLSearchParams(query)));
          return await countInbox(db, filter, VIEW_COUNT_CAP);
        } catch (err) {
          if (err instanceof BadRequest) return null; // a view saved before a filter changed its meaning: no count, still the inbox
          throw err;
        }
      }),
    );
    res.render('partials/inbox/saved-views', {
      savedViews,
      filterQuery,
      viewCounts: new Map(queries.map((q, i) => [q, counts[i] ?? null])),
      viewCountCap: VIEW_COUNT_CAP,
      presetViews: PRESET_VIEWS,
    });
  };
}
