/**
 * Keyed hashes for values we hand out or count without storing them: a key per purpose, derived from
 * ENCRYPTION_KEY the way secretBox.ts derives its own (scrypt with the purpose as salt), so one purpose's
 * signatures are worthless for another.
 */
import { createHmac, scryptSync, timingSafeEqual } from 'node:crypto';

export type Signer = { sign(value: string): string; verify(value: string, signature: string): boolean };

export function createSigner(encryptionKey: string, purpose: string): Signer {
  const key = scryptSync(encryptionKey, `replyline-${purpose}`, 32);
  const sign = (value: string) => createHmac('sha256', key).update(value).digest('hex');
  return {
    sign,
    verify(value, signature) {
      const expected = Buffer.from(sign(value));
      const given = Buffer.from(signature);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
