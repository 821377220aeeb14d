/** A conversation's status as the customer reads it: plain words, no console terms (saved is still "in progress"). */
import type { ConversationStatus } from '../../db/schema';
import type { MessageKey } from '../../i18n/messages';

const WORDING: Record<ConversationStatus, MessageKey> = {
  new: 'caseStatus.state.received',
  assigned: 'caseStatus.state.inProgress',
  saved: 'caseStatus.state.inProgress',
  answered: 'caseStatus.state.answered',
  closed: 'caseStatus.state.closed',
};

export function customerStatusKey(status: ConversationStatus): MessageKey {
  return WORDING[status];
}

/** How the customer's page names who wrote a reply: the agent's first name, else the channel's name. */
export function replyAuthor(agentName: string | null, channelName: string): string {
  const first = agentName?.trim().split(/\s+/)[0];
  return first || channelName;
}
