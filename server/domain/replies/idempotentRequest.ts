/**
 * The Idempotency-Key of an API request: the first request with a key runs and its answer is stored with
 * the key in the same transaction; a repeat — later, or at the same moment — gets that answer without
 * running again. Keys belong to one API user and are kept IDEMPOTENCY_KEY_RETENTION_HOURS. A key used
 * again for another request is refused (422). A request that fails stores nothing: its key stays free.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Db, Tx } from '../../db/client';
import { claimIdempotencyKey, findIdempotencyKey, purgeIdempotencyKeys, storeIdempotentResponse } from '../../db/repositories/idempotencyKeys.repo';
import { HttpError } from '../../errors';
import { parseInput } from '../parseInput';

export const IDEMPOTENCY_KEY_RETENTION_HOURS = 24;

/** 1–255 visible ASCII characters (a UUID is the usual choice). */
export const idempotencyKeySchema = z.string().regex(/^[\x20-\x7e]{1,255}$/, 'must be 1 to 255 visible ASCII characters');

export type IdempotentAnswer = { status: number; body: unknown; replayed: boolean };

/** The key from a header value, or undefined when the header was not sent; a malformed key is a 400. */
export function parseIdempotencyKey(header: string | undefined): string | undefined {
  return header === undefined ? undefined : parseInput(idempotencyKeySchema, header, 'Idempotency-Key');
}

/** A fingerprint of what was asked: the operation and its parsed input. */
export function requestFingerprint(operation: string, input: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([operation, input]))
    .digest('hex');
}

export function forgetExpiredKeys(db: Db) {
  return purgeIdempotencyKeys(db, IDEMPOTENCY_KEY_RETENTION_HOURS);
}

export async function runIdempotent(
  tx: Tx,
  ref: { userId: string; key: string; fingerprint: string },
  status: number,
  run: () => Promise<unknown>,
): Promise<IdempotentAnswer> {
  const keyRef = { userId: ref.userId, key: ref.key };
  if (!(await claimIdempotencyKey(tx, { ...keyRef, requestHash: ref.fingerprint }, IDEMPOTENCY_KEY_RETENTION_HOURS))) {
    const stored = await findIdempotencyKey(tx, keyRef);
    if (stored.requestHash !== ref.fingerprint) {
      throw new HttpError(422, 'This Idempotency-Key was already used for another request; use a new key for a new reply');
    }
    // The claim and its answer commit together, so a claim seen here always holds its answer.
    if (stored.responseStatus === null) throw new Error('An Idempotency-Key was found without its answer');
    return { status: stored.responseStatus, body: stored.responseBody, replayed: true };
  }
  const body = await run();
  await storeIdempotentResponse(tx, keyRef, status, body);
  return { status, body, replayed: false };
}
