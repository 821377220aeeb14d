/**
 * The conversation page: thread, case facts and action bar, composer, notes, presence and (for those who may
 * read the audit log) the timeline — as the full page, or as the #conversation-main fragment that htmx
 * actions swap in. Refused forms on the page re-render it too (see rerenderForm), with the problem at the form.
 */
import type { Request, Response } from 'express';
import { listAudit } from '../../db/repositories/audit.repo';
import { contactContext } from '../../db/repositories/contacts.repo';
import { findChannel } from '../../db/repositories/channels.repo';
import { findChatFacts } from '../../db/repositories/chatSessions.repo';
import { findCallbackRequest, listCallbackAttempts } from '../../db/repositories/callbacks.repo';
import { presentCallback } from '../../presenters/callback.presenter';
import { presentChat } from '../../presenters/chat.presenter';
import { markOpened } from '../../db/repositories/routing.repo';
import { findConversationForPage, markConversationRead } from '../../db/repositories/conversations.repo';
import { listTasksOf } from '../../db/repositories/tasks.repo';
import { presentCaseProgress, presentTasks } from '../../presenters/task.presenter';
import { type WorkspaceLists, workspaceLists } from '../../db/repositories/workspaceLists.repo';
import { can } from '../../domain/auth/permissions';
import { allowedTransitions } from '../../domain/conversations/status';
import { whoIsTyping, whoIsViewing } from '../../domain/presence/typing';
import { NotFound } from '../../errors';
import { translator } from '../../i18n/translate';
import { isHtmx } from '../../middleware/htmx';
import { reworkText } from '../../presenters/approval.presenter';
import { routingReasonText } from '../../presenters/routing.presenter';
import { pathId } from '../../middleware/validate';
import { loadThread } from '../../domain/attachments/loadThread';
import type { Services } from '../../services';
import type { Connector } from '../../../connectors/types';
import type { Channel } from '../../db/schema';
import { renderPageOrFragment } from './render';

type Deps = Pick<Services, 'db' | 'redis' | 'config' | 'connectors' | 'caseLink'>;

/** `lists` when the caller has read the workspace's lists already (the inbox's split view). */
export async function conversationPageData({ db, redis, config, connectors, caseLink }: Deps, req: Request, lists?: WorkspaceLists) {
  const user = req.user!;
  const found = await findConversationForPage(db, pathId(req), user.id);
  if (!found) throw new NotFound('Conversation');
  const {
    teamId,
    remindAt,
    closeReason,
    priority,
    updatedAt,
    teamName,
    tags,
    latestMessageId: lastSeenMessageId,
    readByViewer,
    latestReply,
    ...conversation
  } = found;
  // the assignee has opened what the router gave them: it is no longer offered to the next agent
  if (conversation.assigneeId === user.id) await markOpened(db, conversation.id, user.id);
  const webchat = conversation.channelKind === 'webchat';
  const [{ messages, earlier }, { staff, teams, predefinedTags }, channel, typing, viewing, timeline, context, tasks, , chat, callback, callbackAttempts] =
    await Promise.all([
      loadThread(db, conversation.id),
      lists ?? workspaceLists(db),
      findChannel(db, conversation.channelId),
      whoIsTyping(redis, config.redisPrefix, conversation.id, user.id).catch(() => []),
      whoIsViewing(redis, config.redisPrefix, conversation.id, user.id).catch(() => []),
      can(user.role, 'audit.read') ? listAudit(db, { subjectId: conversation.id, order: 'asc', limit: 500 }) : Promise.resolve([]),
      contactContext(db, conversation.contactId, conversation.id),
      listTasksOf(db, conversation.id),
      // read already up to the latest message (a page opened again): no write
      readByViewer ? undefined : markConversationRead(db, user.id, conversation.id, conversation.lastMessageAt),
      // a website chat's facts: one query, only on webchat conversations
      conversation.channelKind === 'webchat' ? findChatFacts(db, conversation.id) : undefined,
      // a callback request's number, window and attempts: only on webchat conversations
      webchat ? findCallbackRequest(db, conversation.id) : undefined,
      webchat ? listCallbackAttempts(db, conversation.id) : [],
    ]);
  const wf = {
    id: conversation.id,
    status: conversation.status,
    assigneeId: conversation.assigneeId,
    teamId,
    remindAt,
    closeReason,
    priority,
    updatedAt,
    teamName,
  };
  const connector = channel ? connectors.of(channel.kind) : undefined;
  return {
    conversation,
    messages,
    earlier,
    staff,
    teams,
    tags,
    predefinedTags: predefinedTags.map((t) => t.name),
    lastSeenMessageId,
    typing,
    viewing,
    timeline,
    routingReason: routingReasonText(conversation.routingReason, translator(user.locale), user.locale),
    context,
    tasks: presentTasks(tasks, new Date()),
    caseProgress: presentCaseProgress(conversation.status, tasks, translator(user.locale)),
    wf: { ...wf, version: wf.updatedAt.toISOString(), allowed: allowedTransitions(wf.status) },
    ...channelAbilities(connector, channel, conversation.threadKey),
    // a reply of theirs an approver rejected comes back into the viewer's reply box to rework
    composerText: reworkText(latestReply ? [latestReply] : [], user.id),
    cannedId: '',
    chat: chat ? presentChat(chat, translator(user.locale)) : null,
    callback: callback ? presentCallback(callback, callbackAttempts, user.locale, conversation.status) : null,
    visitorReadAt: chat?.visitorReadAt ?? null,
    // the signed link to the public case status page, for those who write to the customer (to paste into a reply)
    caseLink: can(user.role, 'conversation.reply') ? caseLink(conversation.caseNumber) : null,
  };
}

/**
 * What the page offers on this conversation's channel and thread: the reply's maximum length, a private reply
 * to a comment's author, moderating comments, and whether a messaging window applies (shown by its panel).
 */
export function channelAbilities(connector: Connector | undefined, channel: Channel | undefined, threadKey: string | null) {
  const limits = channel && connector ? connector.limits(channel, threadKey === 'dm' ? 'dm' : null) : undefined;
  return {
    maxTextLength: limits?.maxTextLength ?? null,
    privateReplies: Boolean(connector?.capabilities.privateReplies && threadKey !== 'dm'),
    moderation: connector?.capabilities.moderation ?? [],
    messagingWindow: limits?.humanAgentWindowHours !== undefined,
  };
}

/** Renders the conversation named by the path's `:id`: the page, or its #conversation-main fragment for htmx. */
export function conversationPage(deps: Deps) {
  return async (req: Request, res: Response): Promise<void> => {
    renderPageOrFragment(req, res, 'conversation', 'partials/conversation-main', await conversationPageData(deps, req));
  };
}

/** The case facts and action bar alone: what the page re-reads on a live event of the conversation. */
export function conversationHead(deps: Deps) {
  return async (req: Request, res: Response): Promise<void> => {
    res.render('partials/conversations/live-head', await conversationPageData(deps, req));
  };
}

/** After a change made on the page: htmx gets the fresh fragment to swap in, a plain form post a redirect to the page. */
export function afterChange(deps: Deps) {
  const page = conversationPage(deps);
  return async (req: Request, res: Response): Promise<void> => {
    if (isHtmx(req)) return page(req, res);
    res.redirect(303, `/conversations/${pathId(req)}`);
  };
}
