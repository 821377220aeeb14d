/**
 * A person assigned a conversation the bot still holds (a widget chat or a messaging conversation): the bot lets go
 * at once — reason `taken`, no last word (the person is there) — so its paused clocks run again, moved by the time
 * it held them, in the assignment's transaction. Waiting for the customer's next message instead left the clocks
 * paused for good when none came.
 *
 * Lock order as everywhere: the caller holds the chat session (lockChatSession, before the conversation) and the
 * conversation; the messaging bot's row is locked here, after the conversation, as ingest does.
 */
import type { Tx } from '../../db/client';
import type { ConversationStatus } from '../../db/schema';
import { appendAudit } from '../../db/repositories/audit.repo';
import { setBotDone } from '../../db/repositories/botChats.repo';
import { lockConversationBot, setConversationBotDone } from '../../db/repositories/conversationBots.repo';
import type { Actor } from '../audit/actor';
import { resumeClocksAfterBot } from '../sla/pause';

export async function botLetsGo(
  tx: Tx,
  c: { id: string; channelId: string; status: ConversationStatus },
  chat: { botState: string | null } | undefined,
  by: { actor: Actor; now: Date },
): Promise<void> {
  const done = { state: 'handed_over' as const, reason: 'taken' as const, at: by.now };
  if (chat?.botState === 'holding') await setBotDone(tx, c.id, done);
  else if ((await lockConversationBot(tx, c.id))?.state === 'holding') await setConversationBotDone(tx, c.id, done);
  else return;
  await resumeClocksAfterBot(tx, { conversationId: c.id, channelId: c.channelId, from: c.status, to: c.status, actor: by.actor, now: by.now });
  await appendAudit(tx, {
    actor: by.actor,
    action: 'conversation.bot_handed_over',
    subjectType: 'conversation',
    subjectId: c.id,
    channelId: c.channelId,
    after: { reason: 'taken' },
  });
}
