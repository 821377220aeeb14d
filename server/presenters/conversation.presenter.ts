/** Row → API shape for conversations and their messages. */
import { presentCaseProgress, presentTasks, type TaskRow } from './task.presenter';
import type { findConversationDetail, listInbox } from '../db/repositories/conversations.repo';
import type { listMessages } from '../db/repositories/messages.repo';
import type { Locale } from '../db/schema';
import type { Translate } from '../i18n/translate';
import { presentApproval } from './approval.presenter';
import { routingReasonText } from './routing.presenter';
import { presentConversationSla, presentPostSla } from './sla.presenter';

type InboxRow = Awaited<ReturnType<typeof listInbox>>[number];
type DetailRow = NonNullable<Awaited<ReturnType<typeof findConversationDetail>>>;
type MessageRow = Awaited<ReturnType<typeof listMessages>>[number];

export function presentConversationSummary(c: InboxRow) {
  return {
    id: c.id,
    caseNumber: c.caseNumber,
    status: c.status,
    channel: { id: c.channelId, name: c.channelName, kind: c.channelKind },
    contact: { name: c.contactName },
    assignee: c.assigneeId ? { id: c.assigneeId, name: c.assigneeName } : null,
    lastMessageAt: c.lastMessageAt.toISOString(),
    sla: presentConversationSla(c),
    language: c.language,
    sentiment: c.sentimentLabel,
  };
}

export function presentMessage(m: MessageRow) {
  return {
    id: m.id,
    direction: m.direction,
    externalId: m.externalId,
    text: m.text,
    url: m.url,
    author: { name: m.authorName, handle: m.authorHandle, userId: m.authorUserId, kind: m.authorKind },
    postedAt: m.postedAt.toISOString(),
    delivery:
      m.direction === 'outbound'
        ? {
            state: m.deliveryState,
            error: m.deliveryError,
            attempts: m.deliveryAttempts,
            deliveredAt: m.deliveredAt?.toISOString() ?? null,
            // 034: the text ends with the case number and status link (the conversation's first answer)
            caseFooter: m.caseFooter,
          }
        : null,
    approval: m.direction === 'outbound' ? presentApproval(m) : null,
    sla: m.direction === 'inbound' ? presentPostSla(m) : null,
    language: m.language,
    sentiment:
      m.sentimentLabel === null
        ? null
        : {
            label: m.sentimentLabel,
            score: m.sentimentScore,
            ...(m.sentimentOverriddenBy ? { overriddenBy: { id: m.sentimentOverriddenBy, name: m.sentimentOverriddenByName } } : {}),
          },
  };
}

/** `reader`: the language the routing reason is written in. */
/**
 * tasks: the case's steps (presentTasks); caseProgress: what the customer-facing case status shows of them (the
 * self-service status page is not built yet; integrations read it here).
 */
export function presentConversation(c: DetailRow, messages: MessageRow[], reader: { t: Translate; locale: Locale }, tasks: TaskRow[]) {
  return {
    id: c.id,
    caseNumber: c.caseNumber,
    status: c.status,
    channel: { id: c.channelId, name: c.channelName, kind: c.channelKind },
    contact: { id: c.contactId, name: c.contactName },
    assignee: c.assigneeId ? { id: c.assigneeId, name: c.assigneeName } : null,
    createdAt: c.createdAt.toISOString(),
    lastMessageAt: c.lastMessageAt.toISOString(),
    sla: presentConversationSla(c),
    routing: { reason: routingReasonText(c.routingReason, reader.t, reader.locale), routedAt: c.routedAt?.toISOString() ?? null },
    tasks: presentTasks(tasks, new Date()),
    caseProgress: presentCaseProgress(c.status, tasks, reader.t),
    messages: messages.map(presentMessage),
  };
}
