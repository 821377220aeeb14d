/**
 * What a visitor does in a running chat: write (through the ingest pipeline, joining the chat's conversation:
 * SLA clock, listening, reopening and routing as for every inbound message), show that they are typing, and
 * mark the agent's messages read. An ended chat takes nothing more (409).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Tx } from '../../db/client';
import { firstInboundExternalId, lockChatSession, setVisitorRead, setVisitorSpoke, type ChatSession } from '../../db/repositories/chatSessions.repo';
import type { DbOrTx } from '../../db/client';
import { Conflict, NotFound } from '../../errors';
import { translator } from '../../i18n/translate';
import { ingestInbound } from '../conversations/ingestInbound';
import type { Dispatcher, Effects } from '../effects';
import { parseInput } from '../parseInput';
import { chatTextSchema, visitorActor } from './visitorInput';

const messageInput = z.object({ text: chatTextSchema }).strict();
const readInput = z.object({ upTo: z.iso.datetime({ offset: true }) }).strict();

const chatEnded = () => new Conflict('The chat has ended').showing('widget.error.ended');

export function assertChatOpen(session: Pick<ChatSession, 'endedAt'>): void {
  if (session.endedAt) throw chatEnded();
}

export async function postVisitorMessage(
  tx: Tx,
  effects: Effects,
  conversationId: string,
  raw: unknown,
  by: { ip: string | null; now: Date },
): Promise<{ id: string; at: Date; text: string; session: ChatSession }> {
  const { text } = parseInput(messageInput, raw, 'message');
  const session = await lockChatSession(tx, conversationId);
  if (!session) throw new NotFound('Chat');
  assertChatOpen(session);
  const result = await ingestInbound(
    tx,
    effects,
    {
      channelId: session.channelId,
      externalId: `webchat-${randomUUID()}`,
      author: { externalId: session.visitorId, name: session.prechatName ?? translator(session.language)('widget.visitorName') },
      text,
      postedAt: by.now,
      // an answer to the chat's first message: it joins this conversation whatever its status
      inReplyToExternalId: await firstInboundExternalId(tx, conversationId),
      language: session.language,
    },
    visitorActor(by.ip),
    by.now,
  );
  await setVisitorSpoke(tx, conversationId, by.now);
  return { id: result.messageId, at: by.now, text, session };
}

/** The visitor is typing: the agent's conversation page shows it (a live event only, nothing stored). */
/** Whether this signal may be published now (the widget route allows one per chat and kind every 2 s): a flood of calls is one event. */
export type MayPublish = () => Promise<boolean>;

export async function visitorTyping(dispatcher: Dispatcher, session: ChatSession, mayPublish: MayPublish): Promise<void> {
  assertChatOpen(session);
  if (await mayPublish()) await dispatcher.publish({ type: 'chat', conversationId: session.conversationId, change: 'visitor_typing' });
}

/** The visitor has seen the agent's messages up to `upTo` (never later than now; the mark never moves back). */
export async function visitorRead(db: DbOrTx, dispatcher: Dispatcher, session: ChatSession, raw: unknown, now: Date, mayPublish: MayPublish): Promise<void> {
  const { upTo } = parseInput(readInput, raw, 'read mark');
  assertChatOpen(session);
  const at = new Date(Math.min(Date.parse(upTo), now.getTime()));
  await setVisitorRead(db, session.conversationId, at);
  if (await mayPublish()) await dispatcher.publish({ type: 'chat', conversationId: session.conversationId, change: 'visitor_read' });
}
