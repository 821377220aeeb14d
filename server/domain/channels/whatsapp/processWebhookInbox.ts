/**
 * Processes one stored webhook delivery: the channel's connector reads it, the domain ingests its messages (idempotent by external id)
 * and applies its delivery receipts and the revisions of posts already stored (a comment edited or removed on
 * Facebook), all in one transaction that also marks the row processed. Items that cannot be read are logged
 * and skipped; the rest of the delivery still counts.
 */
import type { Connectors } from '../../../../connectors/types';
import type { Db } from '../../../db/client';
import { appendAudit } from '../../../db/repositories/audit.repo';
import { findChannel } from '../../../db/repositories/channels.repo';
import { applyRemoteStatus, lockPendingInboxRow, markInboxFailed, markInboxProcessed, reviseInboundMessage } from '../../../db/repositories/webhookInbox.repo';
import type { Logger } from '../../../logger';
import { systemActor } from '../../audit/actor';
import { ingestBatch } from '../../conversations/ingestBatch';
import { inTransaction, type Dispatcher } from '../../effects';

export type InboxDeps = { db: Db; dispatcher: Dispatcher; logger: Logger; connectors: Connectors };
export type InboxOutcome = { outcome: 'processed' | 'skipped'; ingested: number; receipts: number; skippedItems: number };

export async function processWebhookInbox(deps: InboxDeps, inboxId: string): Promise<InboxOutcome> {
  try {
    return await inTransaction(deps.db, deps.dispatcher, async (tx, effects) => {
      const row = await lockPendingInboxRow(tx, inboxId);
      if (!row) return { outcome: 'skipped' as const, ingested: 0, receipts: 0, skippedItems: 0 };
      const channel = await findChannel(tx, row.channelId);
      const side = channel && deps.connectors.of(channel.kind)?.webhook;
      const address = channel && side?.addressOf(channel.settings);
      const read = channel && side && address ? side.read(channel.id, address, safeJson(row.payloadText)) : null;
      if (!channel || !read) {
        deps.logger.warn({ inboxId, channelId: row.channelId }, 'webhook delivery cannot be read any more (channel gone or payload invalid); marked processed');
        await markInboxProcessed(tx, row.id, row.attempts + 1);
        return { outcome: 'processed' as const, ingested: 0, receipts: 0, skippedItems: 0 };
      }
      const actor = systemActor(`connector:${channel.kind}`);
      for (const s of read.skipped) deps.logger.warn({ inboxId, channelId: channel.id, externalId: s.externalId, reason: s.reason }, 'webhook item skipped');
      const ingested = (await ingestBatch(tx, effects, read.items, actor, row.receivedAt)).filter((r) => r.created).length;
      let receipts = 0;
      for (const s of read.statuses) {
        const changed = await applyRemoteStatus(tx, channel.id, s.externalId, s.status, s.at, s.error);
        if (!changed) continue;
        receipts += 1;
        await appendAudit(tx, {
          actor,
          action: 'message.remote_status',
          channelId: channel.id,
          subjectType: 'conversation',
          subjectId: changed.conversationId,
          before: { messageId: changed.id, remoteStatus: changed.before },
          after: { messageId: changed.id, remoteStatus: s.status, error: s.error },
        });
        effects.publish({ type: 'conversation', conversationId: changed.conversationId, channelId: channel.id, change: 'delivery' });
      }
      for (const r of read.revisions ?? []) {
        const revised = await reviseInboundMessage(tx, channel.id, r.externalId, r.text, r.at);
        if (!revised) continue;
        await appendAudit(tx, {
          actor,
          action: r.text === null ? 'message.remote_removed' : 'message.remote_edited',
          channelId: channel.id,
          subjectType: 'conversation',
          subjectId: revised.conversationId,
          before: { messageId: revised.id, text: revised.before },
          after: { messageId: revised.id, text: r.text },
        });
        effects.publish({ type: 'conversation', conversationId: revised.conversationId, channelId: channel.id, change: 'message' });
      }
      await markInboxProcessed(tx, row.id, row.attempts + 1);
      return { outcome: 'processed' as const, ingested, receipts, skippedItems: read.skipped.length };
    });
  } catch (err) {
    await markInboxFailed(deps.db, inboxId, (err as Error).message).catch(() => undefined);
    throw err;
  }
}

/** The stored payload as sent (read as text: the query layer would rename nested snake_case keys). */
function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
