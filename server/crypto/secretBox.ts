/** AES-256-GCM encryption of channel credentials with a key derived from ENCRYPTION_KEY. */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';

export type SecretBox = { seal(plain: string): string; open(sealed: string): string };

export function createSecretBox(encryptionKey: string): SecretBox {
  const key = scryptSync(encryptionKey, 'replyline-credentials', 32);
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return ['v1', iv, cipher.getAuthTag(), data].map((p) => (typeof p === 'string' ? p : p.toString('base64'))).join('.');
    },
    open(sealed) {
      const [version, iv, tag, data] = sealed.split('.');
      if (version !== 'v1' || !iv || !tag || data === undefined) throw new Error('Unreadable sealed secret');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'));
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]).toString('utf8');
    },
  };
}
