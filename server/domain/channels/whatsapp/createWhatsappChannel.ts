/**
 * Connecting a WhatsApp Business number (Cloud API). The access token, app secret and webhook verify
 * token are sealed in the channel's credentials; the verify token is generated unless given, and shown once.
 */
import { z } from 'zod';
import { templateSchema, whatsappSettingsSchema } from '../../../../connectors/whatsapp/settings';
import type { SecretBox } from '../../../crypto/secretBox';
import { newToken } from '../../../crypto/tokens';
import type { Tx } from '../../../db/client';
import { appendAudit } from '../../../db/repositories/audit.repo';
import { findChannelBySetting, insertMessagingChannel } from '../../../db/repositories/webhookInbox.repo';
import { Conflict } from '../../../errors';
import type { Actor } from '../../audit/actor';
import { parseInput } from '../../parseInput';
import { assertOutboundTargets } from '../outboundTargets';

export const WHATSAPP_WEBHOOK_PATH = '/webhooks/whatsapp';

export const whatsappChannelSchema = z.object({
  name: z.string().trim().min(1).max(100),
  phoneNumberId: whatsappSettingsSchema.shape.phoneNumberId,
  displayPhoneNumber: z.string().trim().max(40).nullish(),
  graphBaseUrl: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).nullish(),
  templates: z.array(templateSchema).max(100).default([]),
  accessToken: z.string().trim().min(1),
  appSecret: z.string().trim().min(1),
  verifyToken: z.string().trim().min(8).nullish(),
});
export type NewWhatsappChannel = z.input<typeof whatsappChannelSchema>;
export type CreatedWhatsappChannel = { channelId: string; verifyToken: string; webhookPath: string };

export async function createWhatsappChannel(tx: Tx, secretBox: SecretBox, input: NewWhatsappChannel, actor: Actor): Promise<CreatedWhatsappChannel> {
  const v = parseInput(whatsappChannelSchema, input, 'channel');
  await assertOutboundTargets({ graphBaseUrl: v.graphBaseUrl ? { url: v.graphBaseUrl } : null });
  if (await findChannelBySetting(tx, 'whatsapp', 'phoneNumberId', v.phoneNumberId)) {
    throw new Conflict(`A WhatsApp channel for phone number id ${v.phoneNumberId} already exists`, { fields: { phoneNumberId: 'taken' } });
  }
  const verifyToken = v.verifyToken ?? newToken('rlv');
  const settings = whatsappSettingsSchema.parse({
    phoneNumberId: v.phoneNumberId, displayPhoneNumber: v.displayPhoneNumber ?? null, templates: v.templates,
    ...(v.graphBaseUrl ? { graphBaseUrl: v.graphBaseUrl } : {}),
  });
  const channel = await insertMessagingChannel(tx, {
    kind: 'whatsapp', name: v.name, settings,
    credentialsEnc: secretBox.seal(JSON.stringify({ accessToken: v.accessToken, appSecret: v.appSecret, verifyToken })),
  });
  await appendAudit(tx, {
    actor, action: 'channel.created', subjectType: 'channel', subjectId: channel.id, channelId: channel.id,
    after: { kind: 'whatsapp', name: v.name, ...settings },
  });
  return { channelId: channel.id, verifyToken, webhookPath: WHATSAPP_WEBHOOK_PATH };
}
