/**
 * A visitor starts a chat: the first message goes through the ingest pipeline like every channel's posts
 * (contact + identity by the widget's visitorId, conversation, SLA clock, listening, audit, and a routing pass
 * for automatic queues), and the chat's session is written in the same transaction with the hash of a fresh
 * visitor token — the only key to this conversation the widget keeps. A closed site or a full queue does not
 * refuse the chat: it waits in the queue (the widget shows position and wait). On a bot-first site the bot takes
 * the first turn before the chat joins the queue (domain/bot/botChat.ts).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { hashToken, newToken } from '../../crypto/tokens';
import type { Tx } from '../../db/client';
import { useInvitation } from '../../db/repositories/chatInvitations.repo';
import type { ChatSite } from '../../db/repositories/chatSites.repo';
import { findChatSession, insertChatSession } from '../../db/repositories/chatSessions.repo';
import { BadRequest, Conflict } from '../../errors';
import { translator } from '../../i18n/translate';
import { openWithBot } from '../bot/botChat';
import { ingestInbound } from '../conversations/ingestInbound';
import type { Effects } from '../effects';
import { parseInput } from '../parseInput';
import {
  chatTextSchema,
  langOf,
  langSchema,
  pageSchema,
  requireConsent,
  visitorActor,
  visitorEmailSchema,
  visitorIdSchema,
  visitorNameSchema,
} from './visitorInput';
import { rememberVisitorEmail } from './visitorContact';

const chatStartInput = z
  .object({
    visitorId: visitorIdSchema,
    text: chatTextSchema,
    consent: z.literal(true),
    name: visitorNameSchema.optional(),
    email: visitorEmailSchema.optional(),
    page: pageSchema.optional(),
    lang: langSchema.optional(),
    invitationId: z.uuid().optional(),
  })
  .strict();

export const VISITOR_TOKEN_PREFIX = 'rlv';

export type StartedChat = { conversationId: string; caseNumber: string; visitorToken: string };

export async function startChat(
  tx: Tx,
  effects: Effects,
  site: ChatSite,
  raw: unknown,
  by: { ip: string | null; now: Date; baseUrl: string },
): Promise<StartedChat> {
  requireConsent(raw);
  const input = parseInput(chatStartInput, raw, 'chat');
  const lang = langOf(input.lang);
  const name = site.prechatName === 'off' ? undefined : input.name;
  const email = site.prechatEmail === 'off' ? undefined : input.email;
  if (site.prechatName === 'required' && !name)
    throw new BadRequest('name: required by this site', { fields: { name: 'required' } }).showing('widget.error.nameRequired');
  if (site.prechatEmail === 'required' && !email)
    throw new BadRequest('email: required by this site', { fields: { email: 'required' } }).showing('widget.error.emailRequired');

  const result = await ingestInbound(
    tx,
    effects,
    {
      channelId: site.channelId,
      externalId: `webchat-${randomUUID()}`,
      author: { externalId: input.visitorId, name: name ?? translator(lang)('widget.visitorName') },
      text: input.text,
      postedAt: by.now,
      url: input.page || null,
      language: lang,
    },
    visitorActor(by.ip),
    by.now,
  );
  // The visitor's open conversation on this channel took the message: their earlier chat is still going on
  // (the widget lost its token); the transaction is rolled back and nothing of this attempt stays.
  if (await findChatSession(tx, result.conversationId)) throw new Conflict('This visitor has a chat that is still open').showing('widget.error.chatOpen');
  const visitorToken = newToken(VISITOR_TOKEN_PREFIX);
  await insertChatSession(tx, {
    conversationId: result.conversationId,
    siteId: site.id,
    visitorTokenHash: hashToken(visitorToken),
    visitorId: input.visitorId,
    pageUrl: input.page || null,
    prechatName: name ?? null,
    prechatEmail: email ?? null,
    consentAt: by.now,
    language: lang,
    startedAt: by.now,
  });
  if (email) await rememberVisitorEmail(tx, result.conversationId, email);
  if (input.invitationId) await useInvitation(tx, input.invitationId, site.id, input.visitorId, by.now);
  // bot first: the bot answers before the chat joins its queue (domain/bot/botChat.ts)
  if (site.botEnabled) {
    await openWithBot(tx, effects, { conversationId: result.conversationId, channelId: site.channelId, language: lang, site }, input.text, by);
  }
  effects.publish({ type: 'chat', conversationId: result.conversationId, change: 'started' });
  return { conversationId: result.conversationId, caseNumber: result.caseNumber, visitorToken };
}
