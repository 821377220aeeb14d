/**
 * Personal values in the audit trail, kept out of the hash chain (docs/audit-and-erasure.md). An event that
 * records a customer's name, e-mail or phone stores a reference `{ pv, digest }` in before/after; the value
 * itself lives in audit_personal_values with a random key of its own, and digest = sha256(key || value).
 * The chain covers the digest, so the event cannot be altered unnoticed; erasure drops value and key, so the
 * chain still verifies and the digest cannot be matched against guesses any more.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { DbOrTx, Tx } from '../../db/client';
import { findPersonalValues, insertPersonalValue } from '../../db/repositories/auditPersonalValues.repo';

export type PersonalRef = { pv: string; digest: string };

const personalDigest = (key: Buffer, value: string) =>
  createHash('sha256')
    .update(Buffer.concat([key, Buffer.from(value, 'utf8')]))
    .digest('hex');

/** Stores the value for one contact and returns what the audit event holds instead of it. */
export async function personalRef(tx: Tx, contactId: string, value: string): Promise<PersonalRef> {
  const key = randomBytes(32);
  const digest = personalDigest(key, value);
  const pv = await insertPersonalValue(tx, { contactId, key, value, digest });
  return { pv, digest };
}

const isRef = (v: unknown): v is PersonalRef =>
  typeof v === 'object' && v !== null && typeof (v as PersonalRef).pv === 'string' && typeof (v as PersonalRef).digest === 'string';

/** An audit value with its references resolved: the stored value, or `{ erased: true }` once erased. */
export async function revealPersonalValues(db: DbOrTx, values: unknown[]): Promise<unknown[]> {
  const ids: string[] = [];
  const collect = (v: unknown): void => {
    if (isRef(v)) ids.push(v.pv);
    else if (Array.isArray(v)) v.forEach(collect);
    else if (typeof v === 'object' && v !== null) Object.values(v).forEach(collect);
  };
  values.forEach(collect);
  const found = await findPersonalValues(db, ids);
  const reveal = (v: unknown): unknown => {
    if (isRef(v)) return found.get(v.pv) ?? { erased: true };
    if (Array.isArray(v)) return v.map(reveal);
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reveal(x)]));
    return v;
  };
  return values.map(reveal);
}
