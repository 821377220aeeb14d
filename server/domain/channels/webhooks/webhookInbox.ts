/**
 * Drains the durable webhook inbox: the deliveries a drain-webhooks job names (an accept group's, committed
 * together by domain/channels/webhooks/inboxGroups.ts) and the fresh deliveries waiting behind them, up to
 * DRAIN_SIZE rows, are read by their channels' connectors, their messages ingested together (one ingestBatch
 * per connector, idempotent by external id), their delivery receipts and the revisions of posts already
 * stored (a comment edited or removed on Facebook) applied, and the rows marked processed, all in one
 * transaction. Meta sends one delivery per message at ordinary volume: one job per accept group and one
 * transaction per drain is what turns many small deliveries into few jobs and few transactions.
 *
 * One delivery never fails the others: a drain the database refuses is retried in halves down to the
 * delivery at fault (commitIsolating). A delivery that fails is marked failed and gets a process-webhook job
 * of its own, retried with backoff (other drains leave it alone); a process-webhook job fails when its own
 * delivery fails. Rows are locked (SKIP LOCKED) and must still be unprocessed, so two workers, or a job whose
 * deliveries another drain took, never ingest a delivery twice. Items that cannot be read are logged and
 * skipped; the rest of the delivery still counts.
 */
import type { Connectors, NormalizedInbound, WebhookSide } from '../../../../connectors/types';
import type { Db, Tx } from '../../../db/client';
import { appendAudit } from '../../../db/repositories/audit.repo';
import { findChannel } from '../../../db/repositories/channels.repo';
import {
  applyRemoteStatus,
  freshPendingInboxIds,
  lockPendingInboxRows,
  markInboxFailed,
  markInboxProcessed,
  reviseInboundMessage,
} from '../../../db/repositories/webhookInbox.repo';
import type { Logger } from '../../../logger';
import { systemActor } from '../../audit/actor';
import { ingestWithBot } from '../../bot/channelBot';
import { enqueueJobs, inTransaction, type Dispatcher, type Effects, type JobRequest } from '../../effects';
import { commitIsolating } from '../../isolatedCommit';

/** `config.baseUrl`: the console's address, for the bot's article links (domain/bot/channelBot.ts). */
export type InboxDeps = { db: Db; dispatcher: Dispatcher; logger: Logger; connectors: Connectors; config: { baseUrl: string } };
export type InboxOutcome = { outcome: 'processed' | 'skipped'; ingested: number; receipts: number; skippedItems: number };

/** Deliveries per drain (one transaction), and per drain-webhooks job. */
export const DRAIN_SIZE = 100;

const SKIPPED: InboxOutcome = { outcome: 'skipped', ingested: 0, receipts: 0, skippedItems: 0 };

type Row = Awaited<ReturnType<typeof lockPendingInboxRows>>[number];
type Channel = NonNullable<Awaited<ReturnType<typeof findChannel>>>;
type Delivery = { row: Row; outcome: InboxOutcome; read: ReturnType<WebhookSide['read']>; channel: Channel | undefined };

/** Processes delivery `inboxId` (a process-webhook job) and drains fresh ones behind it; its outcome is this delivery's, it throws when this one failed. */
export async function processWebhookInbox(deps: InboxDeps, inboxId: string): Promise<InboxOutcome> {
  const own = (await drainInbox(deps, [inboxId], { ownFailureThrows: true }))[0]!;
  if (!own.ok) throw own.error;
  return own.value;
}

/** Drains deliveries `inboxIds` (a drain-webhooks job) and fresh ones behind them; failed ones are left to their own jobs. */
export async function drainWebhookInbox(deps: InboxDeps, inboxIds: string[]): Promise<InboxOutcome[]> {
  return (await drainInbox(deps, inboxIds, { ownFailureThrows: false })).flatMap((o) => (o.ok ? [o.value] : []));
}

/** One outcome per id of `own` and of the fresh deliveries drained with them, in that order. */
async function drainInbox(deps: InboxDeps, own: string[], opts: { ownFailureThrows: boolean }) {
  const room = DRAIN_SIZE - own.length;
  const ids = [...own, ...(room > 0 ? await freshPendingInboxIds(deps.db, own, room) : []).map((r) => r.id)];
  const outcomes = await commitIsolating(ids, (some) => inTransaction(deps.db, deps.dispatcher, (tx, effects) => drain(deps, tx, effects, some)));
  const retried: JobRequest[] = [];
  for (const [i, o] of outcomes.entries()) {
    if (o.ok) continue;
    await markInboxFailed(deps.db, ids[i]!, (o.error as Error).message).catch(() => undefined);
    // the process-webhook job's own delivery is retried by that job; any other by a job of its own (the
    // delivery's drain-webhooks job may have run, and found it locked, while this drain held it)
    if (!(opts.ownFailureThrows && i === 0)) retried.push({ name: 'process-webhook', data: { inboxId: ids[i]! } });
  }
  await enqueueJobs(deps.dispatcher, retried);
  return outcomes;
}

/** One transaction over the deliveries `ids` that are still waiting; one outcome per id, in order. */
async function drain(deps: InboxDeps, tx: Tx, effects: Effects, ids: string[]): Promise<InboxOutcome[]> {
  const deliveries = new Map<string, Delivery>();
  const channels = new Map<string, Channel | undefined>();
  for (const row of await lockPendingInboxRows(tx, ids)) {
    if (!channels.has(row.channelId)) channels.set(row.channelId, await findChannel(tx, row.channelId));
    const channel = channels.get(row.channelId);
    const side = channel && deps.connectors.of(channel.kind)?.webhook;
    const address = channel && side?.addressOf(channel.settings);
    const read = channel && side && address ? side.read(channel.id, address, safeJson(row.payloadText)) : null;
    const outcome: InboxOutcome = { outcome: 'processed', ingested: 0, receipts: 0, skippedItems: read?.skipped.length ?? 0 };
    if (!read)
      deps.logger.warn(
        { inboxId: row.id, channelId: row.channelId },
        'webhook delivery cannot be read any more (channel gone or payload invalid); marked processed',
      );
    for (const s of read?.skipped ?? [])
      deps.logger.warn({ inboxId: row.id, channelId: row.channelId, externalId: s.externalId, reason: s.reason }, 'webhook item skipped');
    deliveries.set(row.id, { row, outcome, read, channel });
  }

  // the messages of every delivery, one ingestBatch per connector (its actor), in the order received
  const byKind = new Map<string, { items: NormalizedInbound[]; of: Delivery[] }>();
  for (const d of deliveries.values()) {
    if (!d.read?.items.length || !d.channel) continue;
    const group = byKind.get(d.channel.kind) ?? { items: [], of: [] };
    for (const item of d.read.items) {
      group.items.push(item);
      group.of.push(d);
    }
    byKind.set(d.channel.kind, group);
  }
  for (const [kind, group] of byKind) {
    // receivedAt: the drain's first delivery of this kind (a post's time is checked against its receipt)
    const botEnv = { baseUrl: deps.config.baseUrl, connectors: deps.connectors };
    const results = await ingestWithBot(tx, effects, group.items, systemActor(`connector:${kind}`), botEnv, group.of[0]!.row.receivedAt);
    results.forEach((r, i) => {
      if (r.created) group.of[i]!.outcome.ingested += 1;
    });
  }

  for (const d of deliveries.values()) {
    if (!d.read || !d.channel) continue;
    const channel = d.channel;
    const actor = systemActor(`connector:${channel.kind}`);
    for (const s of d.read.statuses) {
      const changed = await applyRemoteStatus(tx, channel.id, s.externalId, s.status, s.at, s.error);
      if (!changed) continue;
      d.outcome.receipts += 1;
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
    for (const r of d.read.revisions ?? []) {
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
  }
  if (deliveries.size > 0) await markInboxProcessed(tx, [...deliveries.keys()]);
  return ids.map((id) => deliveries.get(id)?.outcome ?? SKIPPED);
}

/** The stored payload as sent (read as text: the query layer would rename nested snake_case keys). */
function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
