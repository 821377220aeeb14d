/** The chat as the visitor's widget shows it: case number, state, the accepting agent, and the messages both ways. */
import type { DbOrTx } from '../../db/client';
import { visitorMessages, type BotContent, type ChatSession } from '../../db/repositories/chatSessions.repo';
import { findUserById } from '../../db/repositories/users.repo';

export type VisitorChatView = {
  caseNumber: string;
  ended: boolean;
  endReason: string | null;
  accepted: boolean;
  agentName: string | null;
  /** the automatic assistant still answers (the widget offers "talk to a person") */
  botHolding: boolean;
  messages: { id: string; from: 'visitor' | 'agent' | 'bot'; text: string; at: string; authorName: string; readByVisitor: boolean; bot: BotContent | null }[];
};

/** The name the visitor sees for the agent who accepted the chat (null before that). */
export async function agentNameOf(db: DbOrTx, session: Pick<ChatSession, 'acceptedBy'>): Promise<string | null> {
  return session.acceptedBy ? ((await findUserById(db, session.acceptedBy))?.name ?? null) : null;
}

export async function visitorChatView(db: DbOrTx, session: ChatSession): Promise<VisitorChatView> {
  const [messages, agentName] = await Promise.all([visitorMessages(db, session.conversationId), agentNameOf(db, session)]);
  const readUpTo = session.visitorReadAt?.getTime() ?? -Infinity;
  return {
    caseNumber: session.caseNumber,
    ended: session.endedAt !== null,
    endReason: session.endReason,
    accepted: session.acceptedAt !== null,
    agentName,
    botHolding: session.botState === 'holding' && session.endedAt === null,
    messages: messages.map((m) => ({
      id: m.id,
      from: m.from,
      text: m.text,
      at: m.at.toISOString(),
      authorName: m.authorName,
      readByVisitor: m.from === 'visitor' || m.at.getTime() <= readUpTo,
      bot: m.bot,
    })),
  };
}
