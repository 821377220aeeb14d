/**
 * An agent decides about a reply whose send was interrupted ("maybe sent — check"): having looked on the
 * channel, they mark it sent (nothing goes out) or send it again (it is queued once more). Either way the
 * change and its audit event, with the agent as actor, commit together; the job follows after commit.
 */
import { z } from 'zod';
import type { Tx } from '../../db/client';
import { appendAudit } from '../../db/repositories/audit.repo';
import { lockMessage, setDelivery } from '../../db/repositories/messages.repo';
import { Conflict, NotFound } from '../../errors';
import type { Actor } from '../audit/actor';
import type { Effects } from '../effects';
import { parseInput } from '../parseInput';

export const resolutionInput = z.object({
  conversationId: z.uuid(),
  messageId: z.uuid(),
  resolution: z.enum(['sent', 'resend'], { error: 'must be "sent" or "resend"' }),
});

export async function resolveUncertainDelivery(
  tx: Tx,
  effects: Effects,
  raw: z.input<typeof resolutionInput>,
  actor: Actor,
): Promise<{ messageId: string; deliveryState: 'sent' | 'queued' }> {
  const input = parseInput(resolutionInput, raw, 'resolution');
  const { resolution } = input;
  const m = await lockMessage(tx, input.messageId);
  if (!m || m.conversationId !== input.conversationId || m.direction !== 'outbound') throw new NotFound('Reply');
  if (m.deliveryState !== 'uncertain')
    throw new Conflict(`This reply is ${m.deliveryState ?? 'not a delivery'}, not waiting for a check`).showing('delivery.notUncertain');
  const audit = {
    actor,
    channelId: m.channelId,
    subjectType: 'conversation',
    subjectId: m.conversationId,
    before: { messageId: m.id, deliveryState: m.deliveryState },
  };
  if (resolution === 'sent') {
    await setDelivery(tx, m.id, { deliveryState: 'sent', deliveryError: null, deliveredAt: new Date() });
    await appendAudit(tx, { ...audit, action: 'message.delivery_marked_sent', after: { messageId: m.id, deliveryState: 'sent' } });
  } else {
    await setDelivery(tx, m.id, { deliveryState: 'queued', deliveryError: null });
    await appendAudit(tx, { ...audit, action: 'message.delivery_resend', after: { messageId: m.id, deliveryState: 'queued' } });
    // Its own job id (the attempt count so far): the interrupted job may still be kept by the queue as failed.
    effects.enqueue({ name: 'deliver-reply', data: { messageId: m.id, round: m.deliveryAttempts } });
  }
  effects.publish({ type: 'conversation', conversationId: m.conversationId, channelId: m.channelId, change: 'delivery' });
  return { messageId: m.id, deliveryState: resolution === 'sent' ? 'sent' : 'queued' };
}
