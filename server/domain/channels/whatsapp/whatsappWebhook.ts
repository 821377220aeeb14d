/**
 * WhatsApp webhooks, durable first: the request only checks the signature, stores the raw delivery in
 * webhook_inbox and enqueues a job (after commit); the job normalizes and ingests. Meta retries any
 * delivery not answered 200, so the answer must be fast, and ingest is idempotent by wamid.
 */
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Connectors, WebhookSide } from '../../../../connectors/types';
import type { SecretBox } from '../../../crypto/secretBox';
import type { Db } from '../../../db/client';
import type { Channel } from '../../../db/schema';
import { insertInboxRow, listChannelsOfKind } from '../../../db/repositories/webhookInbox.repo';
import { BadRequest, NotFound, Unauthorized } from '../../../errors';
import { inTransaction, type Dispatcher } from '../../effects';
import { assertStorable } from '../../storableText';

/** Where Meta delivers the webhooks of every WhatsApp channel (the callback URL a manager enters in the Meta app). */
export const WHATSAPP_WEBHOOK_PATH = '/webhooks/whatsapp';

type Deps = { db: Db; dispatcher: Dispatcher; secretBox: SecretBox; connectors: Connectors };
type WhatsappChannel = { channel: Channel; phoneNumberId: string; appSecret: string; verifyToken: string };

/** The push side of the WhatsApp connector: signature, addresses and payloads are its business. */
export function whatsappWebhookSide(connectors: Connectors): WebhookSide {
  const side = connectors.of('whatsapp')?.webhook;
  if (!side) throw new NotFound('WhatsApp webhook');
  return side;
}

async function whatsappChannels({ db, secretBox, connectors }: Pick<Deps, 'db' | 'secretBox' | 'connectors'>): Promise<WhatsappChannel[]> {
  const side = whatsappWebhookSide(connectors);
  const out: WhatsappChannel[] = [];
  for (const channel of await listChannelsOfKind(db, 'whatsapp')) {
    if (!channel.credentialsEnc) continue;
    const identity = side.identity(channel.settings, JSON.parse(secretBox.open(channel.credentialsEnc)) as Record<string, string>);
    if (!identity) continue;
    out.push({ channel, phoneNumberId: identity.address, appSecret: identity.signingSecret, verifyToken: identity.verifyToken });
  }
  return out;
}

/** GET handshake: the challenge to echo when some WhatsApp channel has this verify token, else null. */
export async function verifyWhatsappSubscription(deps: Pick<Deps, 'db' | 'secretBox' | 'connectors'>, query: unknown): Promise<string | null> {
  const q = z
    .object({ 'hub.mode': z.literal('subscribe'), 'hub.verify_token': z.string().min(1), 'hub.challenge': z.string().min(1).max(200) })
    .safeParse(query);
  if (!q.success) return null;
  const token = q.data['hub.verify_token'];
  const match = (await whatsappChannels(deps)).some((c) => sameText(c.verifyToken, token));
  return match ? q.data['hub.challenge'] : null;
}

export type WebhookReceipt = { stored: { inboxId: string; channelId: string }[]; unknownPhoneNumberIds: string[]; ignored: boolean };

/**
 * POST: the signature must match the app secret of a WhatsApp channel (else 401, nothing stored). The
 * payload is then routed by metadata.phone_number_id; numbers we do not know are reported, not stored.
 */
export async function receiveWhatsappWebhook(deps: Deps, rawBody: Buffer, signature: string | undefined): Promise<WebhookReceipt> {
  const side = whatsappWebhookSide(deps.connectors);
  const channels = (await whatsappChannels(deps)).filter((c) => side.signatureMatches(c.appSecret, rawBody, signature));
  if (!channels.length) throw new Unauthorized('X-Hub-Signature-256 is missing or does not match');
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new BadRequest('The webhook body is not JSON');
  }
  assertStorable(body, 'webhook body');
  const addresses = side.addressesOf(body);
  if (!addresses) return { stored: [], unknownPhoneNumberIds: [], ignored: true };
  const targets: WhatsappChannel[] = [];
  const unknown: string[] = [];
  for (const id of addresses) {
    const c = channels.find((ch) => ch.phoneNumberId === id);
    if (c) targets.push(c);
    else unknown.push(id);
  }
  const stored = await inTransaction(deps.db, deps.dispatcher, async (tx, effects) => {
    const rows: WebhookReceipt['stored'] = [];
    for (const t of targets) {
      const row = await insertInboxRow(tx, { kind: 'whatsapp', channelId: t.channel.id, payload: rawBody.toString('utf8') });
      effects.enqueue({ name: 'process-webhook', data: { inboxId: row.id } });
      rows.push({ inboxId: row.id, channelId: t.channel.id });
    }
    return rows;
  });
  return { stored, unknownPhoneNumberIds: unknown, ignored: false };
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
