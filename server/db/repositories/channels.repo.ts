/** Channels: connected accounts and custom API sources. */
import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../client';
import type { ChannelKind } from '../schema';

export function insertChannel(
  db: DbOrTx,
  c: { kind: ChannelKind; name: string; ingestTokenHash: string | null; webhookUrl: string | null; credentialsEnc: string | null },
) {
  return db.insertInto('channels').values(c).returningAll().executeTakeFirstOrThrow();
}

/** A channel its connector set up: settings in plain sight, credentials sealed; without an interval the column's default stands. */
export function insertConnectedChannel(
  tx: Tx,
  c: { kind: ChannelKind; name: string; settings: unknown; credentialsEnc: string; pollIntervalSeconds?: number },
) {
  return tx
    .insertInto('channels')
    .values({
      kind: c.kind,
      name: c.name,
      ingestTokenHash: null,
      webhookUrl: null,
      credentialsEnc: c.credentialsEnc,
      settings: sql`${JSON.stringify(c.settings)}::jsonb`,
      ...(c.pollIntervalSeconds ? { pollIntervalSeconds: c.pollIntervalSeconds } : {}),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findChannel(db: DbOrTx, id: string) {
  return db.selectFrom('channels').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Whether `ingestTokenHash` is the API channel's current ingest token hash; the row stays share-locked to the
 * end of the transaction, so a rotation (which locks it for update) waits for the posts checked against it.
 */
export async function hasIngestToken(tx: Tx, id: string, ingestTokenHash: string): Promise<boolean> {
  const row = await tx
    .selectFrom('channels')
    .select('id')
    .where('id', '=', id)
    .where('kind', '=', 'api')
    .where('ingestTokenHash', '=', ingestTokenHash)
    .forShare()
    .executeTakeFirst();
  return row !== undefined;
}

/** Every channel by name (also one of the workspace's lists: workspaceLists.repo.ts). */
export const channelsQuery = (db: DbOrTx) => db.selectFrom('channels').select(['id', 'kind', 'name']).orderBy('name');

export function listChannels(db: DbOrTx) {
  return channelsQuery(db).execute();
}

/** The kind of every channel, one row each, in kind order. */
export async function listChannelKinds(db: DbOrTx) {
  return (await db.selectFrom('channels').select('kind').orderBy('kind').execute()).map((c) => c.kind);
}

export function setIngestTokenHash(tx: Tx, id: string, ingestTokenHash: string) {
  return tx.updateTable('channels').set({ ingestTokenHash }).where('id', '=', id).execute();
}

export function updateChannelDetails(tx: Tx, id: string, details: { name: string; webhookUrl: string | null }) {
  return tx.updateTable('channels').set(details).where('id', '=', id).execute();
}

/** 025_reply_approval: whether replies on this channel wait for an approver. */
export function setChannelRepliesNeedApproval(tx: Tx, id: string, repliesNeedApproval: boolean) {
  return tx.updateTable('channels').set({ repliesNeedApproval }).where('id', '=', id).execute();
}

/** 034: whether the first agent reply of a conversation on this channel carries the case number and status link. */
export function setChannelCaseFooterFlag(tx: Tx, id: string, caseFooter: boolean) {
  return tx.updateTable('channels').set({ caseFooter }).where('id', '=', id).execute();
}

/** A connected channel's name, settings, poll interval and sealed credentials at once; its backoff starts fresh. */
export function updateConnectedChannel(tx: Tx, id: string, c: { name: string; settings: unknown; pollIntervalSeconds: number; credentialsEnc: string | null }) {
  return tx
    .updateTable('channels')
    .set({
      name: c.name,
      settings: sql`${JSON.stringify(c.settings)}::jsonb`,
      pollIntervalSeconds: c.pollIntervalSeconds,
      credentialsEnc: c.credentialsEnc,
      nextPollAt: null,
      consecutiveFailures: 0,
    })
    .where('id', '=', id)
    .execute();
}
