/** Meta signs every webhook delivery: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(appSecret, raw body)>`. */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const WHATSAPP_SIGNATURE_HEADER = 'x-hub-signature-256';

export function signWhatsappBody(appSecret: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/** Constant-time comparison; a missing or malformed header never matches. */
export function signatureMatches(appSecret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (!header || !/^sha256=[0-9a-f]{64}$/i.test(header)) return false;
  const expected = Buffer.from(signWhatsappBody(appSecret, rawBody));
  const sent = Buffer.from(header.toLowerCase());
  return sent.length === expected.length && timingSafeEqual(sent, expected);
}
