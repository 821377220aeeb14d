/**
 * Sending one queued reply through its channel's connector. Idempotent: a reply already sent or failed
 * is left alone, so a job that runs twice changes nothing the second time.
 */
import type { ChannelForSend, SentReceipt } from '../../../connectors/types';
import { ConnectorError } from '../../../connectors/types';
import type { Db, Tx } from '../../db/client';
import type { Message } from '../../db/schema';
import { appendAudit } from '../../db/repositories/audit.repo';
import { lockMessage, setDelivery } from '../../db/repositories/messages.repo';
import type { AuditAction } from '../audit/actions';
import { systemActor } from '../audit/actor';
import { inTransaction, type Dispatcher, type Effects } from '../effects';

const actor = systemActor('worker:outbound');

export type DeliveryDeps = {
  db: Db;
  dispatcher: Dispatcher;
  loadChannel(channelId: string): Promise<ChannelForSend | undefined>;
  /** recipientExternalId: the customer's identity on the channel (a WhatsApp number, an e-mail address). */
  send(channel: ChannelForSend, message: Message & { caseNumber: string; recipientExternalId: string | null; inReplyToRaw: unknown }): Promise<SentReceipt>;
};

export type DeliveryOutcome = 'sent' | 'skipped' | 'retry' | 'failed';

/** One attempt. `finalAttempt` tells whether a retryable failure still gets another try. */
export async function deliverReply(deps: DeliveryDeps, messageId: string, finalAttempt: boolean): Promise<{ outcome: DeliveryOutcome; error?: ConnectorError }> {
  const claimed = await deps.db.transaction().execute(async (tx) => {
    const m = await lockMessage(tx, messageId);
    if (m?.direction !== 'outbound' || (m.deliveryState !== 'queued' && m.deliveryState !== 'sending')) return null;
    await setDelivery(tx, m.id, { deliveryState: 'sending', deliveryAttempts: m.deliveryAttempts + 1 });
    const c = await tx.selectFrom('conversations as c')
      .leftJoin('contactIdentities as ci', (j) => j.onRef('ci.contactId', '=', 'c.contactId').onRef('ci.channelId', '=', 'c.channelId'))
      .select(['c.caseNumber', 'ci.externalId as recipientExternalId']).where('c.id', '=', m.conversationId).executeTakeFirstOrThrow();
    // The message replied to: its raw payload carries what some channels thread by (e-mail subject, References).
    const parent = m.inReplyToExternalId
      ? await tx.selectFrom('messages').select('raw').where('channelId', '=', m.channelId).where('externalId', '=', m.inReplyToExternalId).executeTakeFirst()
      : undefined;
    return { ...m, caseNumber: c.caseNumber, recipientExternalId: c.recipientExternalId, inReplyToRaw: parent?.raw ?? null };
  });
  if (!claimed) return { outcome: 'skipped' };

  const channel = await deps.loadChannel(claimed.channelId);
  try {
    if (!channel) throw new ConnectorError('The channel no longer exists', false);
    const receipt = await deps.send(channel, claimed);
    await record(deps, claimed, 'message.delivered', { deliveryState: 'sent', deliveryError: null, deliveredAt: new Date(), externalId: receipt.externalId, url: receipt.url });
    return { outcome: 'sent' };
  } catch (err) {
    const error = err instanceof ConnectorError ? err : new ConnectorError((err as Error).message, true);
    if (error.retryable && !finalAttempt) {
      await record(deps, claimed, 'message.delivery_retrying', { deliveryState: 'queued', deliveryError: error.message });
      return { outcome: 'retry', error };
    }
    await record(deps, claimed, 'message.delivery_failed', { deliveryState: 'failed', deliveryError: error.message });
    return { outcome: 'failed', error };
  }
}

/** Fails a reply the queue gave up on without an attempt that could record it; false if it had already ended. */
export async function abandonDelivery(deps: Pick<DeliveryDeps, 'db' | 'dispatcher'>, messageId: string, reason: string): Promise<boolean> {
  return inTransaction(deps.db, deps.dispatcher, async (tx, effects) => {
    const m = await lockMessage(tx, messageId);
    if (m?.direction !== 'outbound' || (m.deliveryState !== 'queued' && m.deliveryState !== 'sending')) return false;
    await recordIn(tx, effects, m, 'message.delivery_failed', { deliveryState: 'failed', deliveryError: reason }, m.deliveryState);
    return true;
  });
}

async function record(deps: DeliveryDeps, m: Message, action: AuditAction, set: Parameters<typeof setDelivery>[2]) {
  await inTransaction(deps.db, deps.dispatcher, (tx, effects) => recordIn(tx, effects, m, action, set, 'sending'));
}

async function recordIn(tx: Tx, effects: Effects, m: Message, action: AuditAction, set: Parameters<typeof setDelivery>[2], before: string) {
  await setDelivery(tx, m.id, set);
  await appendAudit(tx, {
    actor, action, channelId: m.channelId, subjectType: 'conversation', subjectId: m.conversationId,
    before: { messageId: m.id, deliveryState: before },
    after: { messageId: m.id, deliveryState: set.deliveryState, error: set.deliveryError ?? null, externalId: set.externalId ?? null },
  });
  effects.publish({ type: 'conversation', conversationId: m.conversationId, channelId: m.channelId, change: 'delivery' });
}
