/** Pushed channels (WhatsApp, Facebook, Instagram, X webhooks): the webhook inbox, receipts on our messages, channel lookups. */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../client';
import type { ChannelKind, RemoteStatus, WebhookInboxTable } from '../schema';

/**
 * Stores the rows in one statement; per row, in order, its id, or null when a row with the same body hash is
 * stored for the channel already (a retry of the delivery, before or earlier in `rows`).
 */
export async function insertInboxRows(
  db: DbOrTx,
  rows: { kind: WebhookInboxTable['kind']; channelId: string; payload: string; bodySha256: string | null; events: number }[],
): Promise<(string | null)[]> {
  if (rows.length === 0) return [];
  const withIds = rows.map((row) => ({ ...row, id: randomUUID() }));
  const stored = await db
    .insertInto('webhookInbox')
    .values(withIds)
    .onConflict((oc) => oc.columns(['channelId', 'bodySha256']).where('bodySha256', 'is not', null).doNothing())
    .returning(['id'])
    .execute();
  const inserted = new Set(stored.map((r) => r.id));
  return withIds.map((r) => (inserted.has(r.id) ? r.id : null));
}

/** The rows, locked for processing; rows gone, already processed or locked by another worker are left out. */
export function lockPendingInboxRows(tx: Tx, ids: string[]) {
  // payload as text: CamelCasePlugin would rename the nested snake_case keys of a jsonb value.
  return tx
    .selectFrom('webhookInbox')
    .select(['id', 'channelId', 'attempts', 'receivedAt', sql<string>`payload::text`.as('payloadText')])
    .where('id', 'in', ids)
    .where('processedAt', 'is', null)
    .orderBy('receivedAt')
    .orderBy('id')
    .forUpdate()
    .skipLocked()
    .execute();
}

/** Up to `limit` more deliveries to drain with these: waiting, never tried before (a failed one is retried alone), oldest first. */
export function freshPendingInboxIds(db: DbOrTx, exceptIds: string[], limit: number) {
  return db
    .selectFrom('webhookInbox')
    .select('id')
    .where('processedAt', 'is', null)
    .where('attempts', '=', 0)
    .where('id', 'not in', exceptIds)
    .orderBy('receivedAt')
    .limit(limit)
    .execute();
}

export function markInboxProcessed(tx: Tx, ids: string[]) {
  return tx
    .updateTable('webhookInbox')
    .set((eb) => ({ processedAt: new Date(), attempts: eb('attempts', '+', 1), lastError: null }))
    .where('id', 'in', ids)
    .execute();
}

export function markInboxFailed(db: DbOrTx, id: string, error: string) {
  return db
    .updateTable('webhookInbox')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), lastError: error.slice(0, 1000) }))
    .where('id', '=', id)
    .where('processedAt', 'is', null)
    .execute();
}

/** Webhook deliveries still waiting to be processed (the reconciler re-enqueues them; attempts > 0: failed before). */
export function listPendingInbox(db: DbOrTx) {
  return db.selectFrom('webhookInbox').select(['id', 'attempts']).where('processedAt', 'is', null).orderBy('receivedAt').orderBy('id').execute();
}

/** Per channel, the events its webhook deliveries held since `since` (what the sender counts and may bill). */
export async function webhookEventsSince(db: DbOrTx, since: Date): Promise<Map<string, number>> {
  const rows = await db
    .selectFrom('webhookInbox')
    .select(['channelId', sql<string>`sum(events)`.as('events')])
    .where('receivedAt', '>=', since)
    .groupBy('channelId')
    .execute();
  return new Map(rows.map((r) => [r.channelId, Number(r.events)]));
}

/** The channels of these kinds (one query for an endpoint that serves several), oldest first. */
export function listChannelsOfKinds(db: DbOrTx, kinds: readonly ChannelKind[]) {
  return db.selectFrom('channels').selectAll().where('kind', 'in', kinds).orderBy('createdAt').execute();
}

/**
 * The channels' webhook identities as they are now, key-share-locked until the transaction ends: a change that
 * locks the channel FOR UPDATE first waits for it (domain/channels/webhooks/webhookSigners.ts); in id order.
 */
export function lockSigningChannels(tx: Tx, ids: string[]) {
  return tx.selectFrom('channels').select(['id', 'kind', 'settings', 'credentialsEnc']).where('id', 'in', ids).orderBy('id').forKeyShare().execute();
}

export function findChannelBySetting(db: DbOrTx, kind: ChannelKind, key: string, value: string) {
  return db.selectFrom('channels').selectAll().where('kind', '=', kind).where(sql<string>`settings->>${key}`, '=', value).executeTakeFirst();
}

export function updateChannelSettings(tx: Tx, id: string, settings: unknown) {
  return tx
    .updateTable('channels')
    .set({ settings: sql`${JSON.stringify(settings)}::jsonb` })
    .where('id', '=', id)
    .execute();
}

/** A message of the channel by the remote side's id, locked for a change the remote side reports (a receipt, an edit). */
function lockMessageByExternalId(tx: Tx, channelId: string, externalId: string, direction: 'inbound' | 'outbound') {
  return tx
    .selectFrom('messages')
    .select(['id', 'conversationId', 'text', 'remoteStatus', 'remoteRemovedAt'])
    .where('channelId', '=', channelId)
    .where('externalId', '=', externalId)
    .where('direction', '=', direction)
    .forUpdate()
    .executeTakeFirst();
}

const STATUS_RANK: Record<RemoteStatus, number> = { sent: 1, delivered: 2, read: 3, failed: 4 };

/**
 * Applies a receipt to our outbound message with this external id. Receipts arrive out of order, so a
 * status only ever moves forward (sent → delivered → read; failed wins). Returns the message if changed.
 */
export async function applyRemoteStatus(tx: Tx, channelId: string, externalId: string, status: RemoteStatus, at: Date, error: string | null) {
  const m = await lockMessageByExternalId(tx, channelId, externalId, 'outbound');
  if (!m || (m.remoteStatus && STATUS_RANK[m.remoteStatus] >= STATUS_RANK[status])) return null;
  await tx
    .updateTable('messages')
    .set({
      remoteStatus: status,
      remoteStatusAt: at,
      ...(status === 'failed' ? { deliveryState: 'failed' as const, deliveryError: error ?? 'The channel reported the message as failed' } : {}),
    })
    .where('id', '=', m.id)
    .execute();
  return { ...m, before: m.remoteStatus };
}

/** When the customer last wrote in this conversation (starts the WhatsApp service window). */
export async function lastInboundAt(db: DbOrTx, conversationId: string): Promise<Date | null> {
  const row = await db
    .selectFrom('messages')
    .select('postedAt')
    .where('conversationId', '=', conversationId)
    .where('direction', '=', 'inbound')
    .orderBy('postedAt', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.postedAt ?? null;
}

export function setChannelPaused(tx: Tx, id: string, paused: boolean) {
  return tx.updateTable('channels').set({ paused }).where('id', '=', id).execute();
}

/**
 * An inbound post its author edited (new text) or removed (text null) on the channel; undefined when we do not
 * have it, or the revision is no news (the same text again, removed before).
 */
export async function reviseInboundMessage(tx: Tx, channelId: string, externalId: string, text: string | null, at: Date) {
  const m = await lockMessageByExternalId(tx, channelId, externalId, 'inbound');
  if (!m || m.remoteRemovedAt) return undefined;
  if (text === null) await tx.updateTable('messages').set({ remoteRemovedAt: at }).where('id', '=', m.id).execute();
  else if (text !== m.text) await tx.updateTable('messages').set({ text, remoteEditedAt: at }).where('id', '=', m.id).execute();
  else return undefined;
  return { id: m.id, conversationId: m.conversationId, before: m.text };
}
