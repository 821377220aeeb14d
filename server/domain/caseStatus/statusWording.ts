/**
 * A case's status as the customer reads it: the case progress the tasks feature defined for this page
 * (domain/tasks/caseProgress.ts: received, in progress — step n of m, resolved), except that an answered
 * case says plainly that we are waiting for the customer's reply.
 */
import type { ConversationStatus, TaskState } from '../../db/schema';
import type { MessageKey } from '../../i18n/messages';
import { caseProgress, caseProgressText } from '../tasks/caseProgress';

export type StatusLine = { key: MessageKey; vars: Record<string, number> };

export function customerStatus(status: ConversationStatus, tasks: readonly { state: TaskState }[]): StatusLine {
  if (status === 'answered') return { key: 'caseStatus.answered', vars: {} };
  return caseProgressText(caseProgress(status, tasks));
}

/** How the customer's page names who wrote a reply: the agent's first name, else the channel's name. */
export function replyAuthor(agentName: string | null, channelName: string): string {
  const first = agentName?.trim().split(/\s+/)[0];
  return first || channelName;
}
