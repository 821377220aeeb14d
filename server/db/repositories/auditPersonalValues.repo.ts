/** Personal values that audit events name by reference (docs/audit-and-erasure.md): store, read, tombstone, check. */
import { sql } from 'kysely';
import type { Db, DbOrTx, Tx } from '../client';

export async function insertPersonalValue(tx: Tx, row: { contactId: string; key: Buffer; value: string; digest: string }): Promise<string> {
  const { id } = await tx.insertInto('auditPersonalValues').values(row).returning('id').executeTakeFirstOrThrow();
  return id;
}

/** id → value; an erased value maps to null. */
export async function findPersonalValues(db: DbOrTx, ids: string[]): Promise<Map<string, string | null>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('auditPersonalValues').select(['id', 'value']).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.value]));
}

/** Erasure: value and key are dropped, the digest (which the audit chain covers) stays. */
export async function tombstonePersonalValues(tx: DbOrTx, contactIds: string[]): Promise<number> {
  if (contactIds.length === 0) return 0;
  const done = await tx
    .updateTable('auditPersonalValues')
    .set({ value: null, key: null, erasedAt: new Date() })
    .where('contactId', 'in', contactIds)
    .where('erasedAt', 'is', null)
    .executeTakeFirst();
  return Number(done.numUpdatedRows);
}

/** The first kept value whose digest no longer matches it (altered behind the application's back), if any. */
export async function findAlteredPersonalValue(db: Db): Promise<string | null> {
  const row = await sql<{ id: string }>`
    SELECT id FROM audit_personal_values
    WHERE erased_at IS NULL AND digest <> encode(sha256(key || convert_to(value, 'UTF8')), 'hex')
    ORDER BY created_at, id LIMIT 1`.execute(db);
  return row.rows[0]?.id ?? null;
}
