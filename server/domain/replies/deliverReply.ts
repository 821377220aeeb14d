/**
 * Sending one queued reply through its channel. A reply reaches the customer at most once on channels
 * that cannot drop a repeat (X, WhatsApp, Telegram, e-mail), and at least once — always with the same
 * Idempotency-Key — on the API channel. Idempotent: a job that runs again changes nothing sent or ended.
 *
 * 1. Claim, in one transaction: queued → sending, one more attempt. A reply already in `sending` was
 *    claimed by an attempt that ended without recording its outcome — its worker died mid-send (BullMQ's
 *    job lock, the claim, ran out) or recording failed. On a channel that resends safely it is sent again;
 *    on the others it becomes `uncertain` ("maybe sent — check"): an agent looks and marks it sent or sends
 *    it again (resolveUncertainDelivery.ts).
 * 2. Send, with no transaction open (sendOnChannel.ts).
 * 3. Record. A success is recorded outside the send's retry path: a database error then retries the
 *    database write, never the send.
 */
import type { Connectors, SentReceipt } from '../../../connectors/types';
import { ConnectorError, Transient } from '../../../connectors/types';
import type { SecretBox } from '../../crypto/secretBox';
import type { Db, Tx } from '../../db/client';
import type { DeliveryState, Message } from '../../db/schema';
import { appendAudit } from '../../db/repositories/audit.repo';
import { findChannel } from '../../db/repositories/channels.repo';
import { findMessage, findReplyContext, lockMessage, setDelivery } from '../../db/repositories/messages.repo';
import type { AuditAction } from '../audit/actions';
import { systemActor } from '../audit/actor';
import { loadChannelForSend } from '../channels/loadChannelForSend';
import { inTransaction, type Dispatcher, type Effects } from '../effects';
import { consoleMailer } from './consoleMailer';
import { resendsSafely, sendOnChannel } from './sendOnChannel';

const actor = systemActor('worker:outbound');

export type DeliveryDeps = {
  db: Db;
  connectors: Connectors;
  dispatcher: Dispatcher;
  secretBox: SecretBox;
  /** Waits between tries to record an outcome when the database refuses (default about 8 s in all). */
  recordRetryDelaysMs?: number[];
};

export type DeliveryOutcome = 'sent' | 'skipped' | 'retry' | 'failed' | 'uncertain';

export const INTERRUPTED_REASON =
  'Sending was interrupted before the channel confirmed it (the worker stopped, or the send could not be recorded). ' +
  'This channel cannot drop a repeat, so it is not sent again on its own: check on the channel, then mark it sent or send it again.';

/** Sent, but the database did not take the record even after retries: the next attempt finds the reply in `sending`. */
export class DeliveryNotRecorded extends Error {
  constructor(messageId: string, cause: unknown) {
    super(`The outcome of sending reply ${messageId} could not be recorded: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'DeliveryNotRecorded';
  }
}

const RECORD_RETRY_DELAYS_MS = [200, 500, 1_000, 2_000, 4_000];
const PENDING: (DeliveryState | null)[] = ['queued', 'sending'];
const isPendingReply = (m: Message | undefined): m is Message => Boolean(m && m.direction === 'outbound' && PENDING.includes(m.deliveryState));

/** One attempt. `finalAttempt` tells whether a retryable failure still gets another try. */
export async function deliverReply(
  deps: DeliveryDeps,
  messageId: string,
  finalAttempt: boolean,
): Promise<{ outcome: DeliveryOutcome; error?: ConnectorError }> {
  const stored = await findMessage(deps.db, messageId);
  if (!isPendingReply(stored)) return { outcome: 'skipped' };
  const channel = await loadChannelForSend(deps.db, deps.secretBox, stored.channelId);

  const claim = await inTransaction(deps.db, deps.dispatcher, async (tx, effects) => {
    const m = await lockMessage(tx, messageId);
    if (!isPendingReply(m)) return null;
    const context = await findReplyContext(tx, m);
    if (m.deliveryState === 'sending' && !resendsSafely(deps.connectors, channel, context.recipientExternalId)) {
      await recordIn(tx, effects, m, 'message.delivery_uncertain', { deliveryState: 'uncertain', deliveryError: INTERRUPTED_REASON });
      return 'uncertain' as const;
    }
    await setDelivery(tx, m.id, { deliveryState: 'sending', deliveryAttempts: m.deliveryAttempts + 1 });
    return { ...m, deliveryState: 'sending' as const, deliveryAttempts: m.deliveryAttempts + 1, ...context };
  });
  if (!claim) return { outcome: 'skipped' };
  if (claim === 'uncertain') return { outcome: 'uncertain' };

  let receipt: SentReceipt;
  try {
    receipt = await sendOnChannel(deps.connectors, channel, claim, { consoleMail: consoleMailer(deps.db, deps.secretBox) });
  } catch (err) {
    const error = err instanceof ConnectorError ? err : new ConnectorError((err as Error).message, true);
    if (error instanceof Transient && error.maybeDelivered && !resendsSafely(deps.connectors, channel, claim.recipientExternalId)) {
      // The customer may have it (a timeout, a cut connection): a person decides rather than a resend.
      await record(deps, claim.id, 'message.delivery_uncertain', { deliveryState: 'uncertain', deliveryError: `${INTERRUPTED_REASON} (${error.message})` });
      return { outcome: 'uncertain', error };
    }
    if (error.retryable && !finalAttempt) {
      await record(deps, claim.id, 'message.delivery_retrying', { deliveryState: 'queued', deliveryError: error.message, deliveryErrorKey: error.reasonKey });
      return { outcome: 'retry', error };
    }
    await record(deps, claim.id, 'message.delivery_failed', { deliveryState: 'failed', deliveryError: error.message, deliveryErrorKey: error.reasonKey });
    return { outcome: 'failed', error };
  }
  // The customer has it: from here on only the record is retried.
  await record(
    deps,
    claim.id,
    'message.delivered',
    { deliveryState: 'sent', deliveryError: null, deliveredAt: new Date(), externalId: receipt.externalId, url: receipt.url },
    ['sending', 'uncertain'],
  );
  return { outcome: 'sent' };
}

/**
 * Ends a reply the queue gave up on without an attempt that could record it (its workers died again and
 * again, or its outcome could not be recorded); false if it had already ended. A reply that may have been
 * sent becomes `uncertain` on channels that cannot drop a repeat, `failed` with the reason on the others.
 */
export async function abandonDelivery(deps: Pick<DeliveryDeps, 'db' | 'dispatcher' | 'connectors'>, messageId: string, reason: string): Promise<boolean> {
  return inTransaction(deps.db, deps.dispatcher, async (tx, effects) => {
    const m = await lockMessage(tx, messageId);
    if (!isPendingReply(m)) return false;
    const channel = await findChannel(tx, m.channelId);
    const { recipientExternalId } = await findReplyContext(tx, m);
    if (m.deliveryState === 'sending' && !resendsSafely(deps.connectors, channel, recipientExternalId)) {
      await recordIn(tx, effects, m, 'message.delivery_uncertain', { deliveryState: 'uncertain', deliveryError: `${INTERRUPTED_REASON} (${reason})` });
    } else {
      await recordIn(tx, effects, m, 'message.delivery_failed', { deliveryState: 'failed', deliveryError: reason });
    }
    return true;
  });
}

type DeliverySet = Parameters<typeof setDelivery>[2];

/** Records an outcome if the reply is still in one of `from`; a refused database write is tried again, then DeliveryNotRecorded. */
async function record(deps: DeliveryDeps, messageId: string, action: AuditAction, set: DeliverySet, from: DeliveryState[] = ['sending']) {
  const delays = deps.recordRetryDelaysMs ?? RECORD_RETRY_DELAYS_MS;
  for (let i = 0; ; i += 1) {
    try {
      await inTransaction(deps.db, deps.dispatcher, async (tx, effects) => {
        const m = await lockMessage(tx, messageId);
        if (m?.deliveryState && from.includes(m.deliveryState)) await recordIn(tx, effects, m, action, set);
      });
      return;
    } catch (err) {
      if (i >= delays.length) throw new DeliveryNotRecorded(messageId, err);
      await new Promise((r) => setTimeout(r, delays[i]));
    }
  }
}

async function recordIn(tx: Tx, effects: Effects, m: Message, action: AuditAction, set: DeliverySet) {
  await setDelivery(tx, m.id, set);
  await appendAudit(tx, {
    actor,
    action,
    channelId: m.channelId,
    subjectType: 'conversation',
    subjectId: m.conversationId,
    before: { messageId: m.id, deliveryState: m.deliveryState },
    after: { messageId: m.id, deliveryState: set.deliveryState, error: set.deliveryError ?? null, externalId: set.externalId ?? null },
  });
  effects.publish({ type: 'conversation', conversationId: m.conversationId, channelId: m.channelId, change: 'delivery' });
}
