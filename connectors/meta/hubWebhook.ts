/**
 * What every Meta-signed webhook side shares (WhatsApp, Facebook pages, Instagram): the X-Hub-Signature-256
 * check, the `hub.mode=subscribe` handshake proving a verify token, and the channel's identity read from its
 * settings (the address) and credentials (app secret, verify token). Each connector adds how it reads a delivery.
 */
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { WebhookSide } from '../types';
import { signatureMatches, WHATSAPP_SIGNATURE_HEADER } from '../whatsapp/signature';

const credentialsSchema = z.object({ appSecret: z.string().min(1), verifyToken: z.string().min(1) }).loose();

const handshakeSchema = z.object({
  'hub.mode': z.literal('subscribe'),
  'hub.verify_token': z.string().min(1).max(500),
  'hub.challenge': z.string().min(1).max(200),
});

/** `address`: the channel's address in its settings (phone number id, page id), or null when they cannot be read. */
export function hubWebhookSide(
  address: (settings: unknown) => string | null,
): Pick<WebhookSide, 'signatureHeader' | 'signatureMatches' | 'handshake' | 'identity' | 'addressOf'> {
  return {
    signatureHeader: WHATSAPP_SIGNATURE_HEADER,
    signatureMatches,
    handshake(query, identities) {
      const q = handshakeSchema.safeParse(query);
      if (!q.success) return null;
      const token = q.data['hub.verify_token'];
      return identities.some((i) => i.verifyToken && sameText(i.verifyToken, token)) ? { text: q.data['hub.challenge'] } : null;
    },
    identity(settings, credentials) {
      const at = address(settings);
      const c = credentialsSchema.safeParse(credentials);
      return at && c.success ? { address: at, signingSecret: c.data.appSecret, verifyToken: c.data.verifyToken } : null;
    },
    addressOf: address,
  };
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
