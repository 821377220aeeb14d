/** Idempotency-Key of API requests (012_outbound_safety): per user, the first request's fingerprint and answer. */
import { sql } from 'kysely';
import type { DbOrTx, Tx } from '../client';

export type IdempotencyKeyRef = { userId: string; key: string };

/**
 * Takes the key for this request: true when it is new (or its earlier use is older than the retention),
 * false when a live use exists. A concurrent request holding the same key makes this wait (unique index)
 * until that request commits — then false — or rolls back — then true.
 */
export async function claimIdempotencyKey(tx: Tx, ref: IdempotencyKeyRef & { requestHash: string }, retentionHours: number): Promise<boolean> {
  const rows = await tx
    .insertInto('apiIdempotencyKeys')
    .values({ userId: ref.userId, key: ref.key, requestHash: ref.requestHash })
    .onConflict((oc) =>
      oc
        .columns(['userId', 'key'])
        .doUpdateSet({
          requestHash: ref.requestHash,
          responseStatus: null,
          responseBody: null,
          createdAt: sql<Date>`now()`,
        })
        .where('apiIdempotencyKeys.createdAt', '<', sql<Date>`now() - make_interval(hours => ${retentionHours})`),
    )
    .returning('key')
    .execute();
  return rows.length > 0;
}

export function findIdempotencyKey(db: DbOrTx, ref: IdempotencyKeyRef) {
  return db
    .selectFrom('apiIdempotencyKeys')
    .select(['requestHash', 'responseStatus', 'responseBody'])
    .where('userId', '=', ref.userId)
    .where('key', '=', ref.key)
    .executeTakeFirstOrThrow();
}

export function storeIdempotentResponse(tx: Tx, ref: IdempotencyKeyRef, status: number, body: unknown) {
  return tx
    .updateTable('apiIdempotencyKeys')
    .set({ responseStatus: status, responseBody: JSON.stringify(body) })
    .where('userId', '=', ref.userId)
    .where('key', '=', ref.key)
    .execute();
}

/** Forgets keys older than the retention (run by the keyed requests themselves; the index keeps it cheap). */
export function purgeIdempotencyKeys(db: DbOrTx, retentionHours: number) {
  return db.deleteFrom('apiIdempotencyKeys').where('createdAt', '<', sql<Date>`now() - make_interval(hours => ${retentionHours})`).execute();
}
