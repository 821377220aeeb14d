/**
 * The second half of `audit:verify` (after the hash chain): every personal value the chain names by digest still
 * matches it (docs/audit-and-erasure.md); erased values are tombstones and are skipped.
 */
import type { Db } from '../../db/client';
import { findAlteredPersonalValue } from '../../db/repositories/auditPersonalValues.repo';

export type PersonalValuesVerdict = { ok: true } | { ok: false; alteredPersonalValue: string; problem: string };

export async function verifyPersonalValues(db: Db): Promise<PersonalValuesVerdict> {
  const altered = await findAlteredPersonalValue(db);
  return altered ? { ok: false, alteredPersonalValue: altered, problem: 'a personal value does not match its digest (altered)' } : { ok: true };
}
