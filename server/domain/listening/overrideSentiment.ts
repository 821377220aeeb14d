/**
 * An agent corrects the sentiment detected for an inbound post. The detected label stays beside the new
 * one (messages.sentiment_detected), so the dashboard can count how often agents disagreed.
 */
import { z } from 'zod';
import type { Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import { lockInboundSignals, overrideSentiment as storeOverride } from '../../db/repositories/listening.repo';
import type { Role } from '../../db/schema';
import { BadRequest, Forbidden, NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import { mayWorkConversations } from '../conversations/transitionPolicy';
import type { Effects } from '../effects';
import { parseInput } from '../parseInput';
import { SENTIMENT_LABELS } from './postSignals';

export const sentimentOverrideInput = z.object({ messageId: z.uuid(), label: z.enum(SENTIMENT_LABELS) });

export async function overrideSentiment(
  tx: Tx,
  effects: Effects,
  raw: z.input<typeof sentimentOverrideInput>,
  by: { actor: Actor; role: Role; userId: string },
) {
  const input = parseInput(sentimentOverrideInput, raw, 'sentiment');
  if (!mayWorkConversations(by.role)) throw new Forbidden('Your role may not change the sentiment of a post');
  const m = await lockInboundSignals(tx, input.messageId);
  if (!m) throw new NotFound('Message');
  if (m.direction !== 'inbound') throw new BadRequest('Only inbound posts have a sentiment');
  if (m.sentimentLabel === input.label) return { label: m.sentimentLabel };
  await storeOverride(tx, m, input.label, by.userId);
  await appendAudit(tx, {
    actor: by.actor,
    action: 'message.sentiment_overridden',
    subjectType: 'conversation',
    subjectId: m.conversationId,
    channelId: m.channelId,
    before: { messageId: m.id, sentiment: m.sentimentLabel, detected: m.sentimentDetected },
    after: { messageId: m.id, sentiment: input.label },
  });
  effects.publish({ type: 'conversation', conversationId: m.conversationId, channelId: m.channelId, change: 'status' });
  return { label: input.label };
}
