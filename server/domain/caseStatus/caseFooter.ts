/**
 * The case number in the first answer (issue 19): the first agent reply of a conversation ends with a short
 * footer — the case number and the signed link to its status page (caseLink.ts) — in the customer's language.
 * Only where the channel's setting has it on (channels.case_footer, default on), never on a public post (X
 * mentions, Facebook/Instagram comments: connector capability publicPosts) or an approved template, and only
 * when reply and footer together stay within the channel's text limit (else it is left out, and the next reply
 * carries it). Decided under the conversation's lock when the reply is stored (queueReply.ts), so of two
 * concurrent replies one carries it; a reply with it that failed or was rejected never reached the customer, so
 * the next one carries it again.
 */
import type { Connector } from '../../../connectors/types';
import type { Tx } from '../../db/client';
import type { Channel } from '../../db/schema';
import { hasCaseFooterReply } from '../../db/repositories/messages.repo';
import { translator } from '../../i18n/translate';
import { langOf } from '../webchat/visitorInput';
import type { CaseLinkOf } from './caseLink';

/** Where the footer may go at all: the channel's setting on, a free-text reply, and not under a public post. */
export function footerMayGo(p: { channelSetting: boolean; publicPosts: boolean; thread: 'dm' | null; privately: boolean; template: boolean }): boolean {
  return p.channelSetting && !p.template && (p.thread === 'dm' || p.privately || !p.publicPosts);
}

/** The footer in the customer's language ('de' unless the conversation is in English). */
export function caseFooterText(language: string | null, caseNumber: string, link: string): string {
  return translator(langOf(language))('caseFooter.text', { case: caseNumber, link });
}

/** The reply with the footer after a blank line, or null when both together are longer than the channel allows. */
export function withCaseFooter(text: string, footer: string, maxTextLength: number): string | null {
  const joined = `${text}\n\n${footer}`;
  return [...joined].length <= maxTextLength ? joined : null;
}

/** The text to store and whether it carries the footer. `tx` must hold the conversation's lock. */
export async function addCaseFooter(
  tx: Tx,
  conversation: { id: string; caseNumber: string; language: string | null },
  channel: Channel,
  connector: Pick<Connector, 'limits' | 'capabilities'>,
  reply: { text: string; thread: 'dm' | null; privately: boolean; template: boolean },
  caseLink: CaseLinkOf,
): Promise<{ text: string; caseFooter: boolean }> {
  const plain = { text: reply.text, caseFooter: false };
  const mayGo = footerMayGo({ channelSetting: channel.caseFooter, publicPosts: connector.capabilities.publicPosts, ...reply });
  if (!mayGo || (await hasCaseFooterReply(tx, conversation.id))) return plain;
  const footer = caseFooterText(conversation.language, conversation.caseNumber, caseLink(conversation.caseNumber));
  // a rejected first reply comes back into the composer with its footer: sent again, it carries it once
  if (reply.text.endsWith(`\n\n${footer}`)) return { text: reply.text, caseFooter: true };
  const text = withCaseFooter(reply.text, footer, connector.limits(channel, reply.thread).maxTextLength);
  return text === null ? plain : { text, caseFooter: true };
}
