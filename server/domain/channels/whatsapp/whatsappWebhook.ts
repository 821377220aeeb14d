/**
 * WhatsApp webhooks, durable first: the request only checks the signature, stores the raw delivery in
 * webhook_inbox and enqueues a job (after commit); the job normalizes and ingests. Meta retries any
 * delivery not answered 200, so the answer must be fast, and ingest is idempotent by wamid.
 */
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { signatureMatches } from '../../../../connectors/whatsapp/signature';
import { parseWhatsappPayload, phoneNumberIdsOf } from '../../../../connectors/whatsapp/normalize';
import { whatsappCredentialsSchema, whatsappSettingsSchema } from '../../../../connectors/whatsapp/settings';
import type { SecretBox } from '../../../crypto/secretBox';
import type { Db } from '../../../db/client';
import type { Channel } from '../../../db/schema';
import { insertInboxRow, listChannelsOfKind } from '../../../db/repositories/webhookInbox.repo';
import { BadRequest, Unauthorized } from '../../../errors';
import { inTransaction, type Dispatcher } from '../../effects';
import { assertStorable } from '../../storableText';

type Deps = { db: Db; dispatcher: Dispatcher; secretBox: SecretBox };
type WhatsappChannel = { channel: Channel; phoneNumberId: string; appSecret: string; verifyToken: string };

async function whatsappChannels({ db, secretBox }: Pick<Deps, 'db' | 'secretBox'>): Promise<WhatsappChannel[]> {
  const out: WhatsappChannel[] = [];
  for (const channel of await listChannelsOfKind(db, 'whatsapp')) {
    const settings = whatsappSettingsSchema.safeParse(channel.settings);
    if (!settings.success || !channel.credentialsEnc) continue;
    const creds = whatsappCredentialsSchema.safeParse(JSON.parse(secretBox.open(channel.credentialsEnc)));
    if (!creds.success) continue;
    out.push({ channel, phoneNumberId: settings.data.phoneNumberId, appSecret: creds.data.appSecret, verifyToken: creds.data.verifyToken });
  }
  return out;
}

/** GET handshake: the challenge to echo when some WhatsApp channel has this verify token, else null. */
export async function verifyWhatsappSubscription(deps: Pick<Deps, 'db' | 'secretBox'>, query: unknown): Promise<string | null> {
  const q = z.object({ 'hub.mode': z.literal('subscribe'), 'hub.verify_token': z.string().min(1), 'hub.challenge': z.string().min(1).max(200) }).safeParse(query);
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
  const channels = (await whatsappChannels(deps)).filter((c) => signatureMatches(c.appSecret, rawBody, signature));
  if (!channels.length) throw new Unauthorized('X-Hub-Signature-256 is missing or does not match');
  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new BadRequest('The webhook body is not JSON');
  }
  assertStorable(body, 'webhook body');
  const payload = parseWhatsappPayload(body);
  if (!payload) return { stored: [], unknownPhoneNumberIds: [], ignored: true };
  const targets: WhatsappChannel[] = [];
  const unknown: string[] = [];
  for (const id of phoneNumberIdsOf(payload)) {
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
