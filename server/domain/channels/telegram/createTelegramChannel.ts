/**
 * Connecting a Telegram bot. The bot token is sealed in the channel's credentials; the bot id (the
 * token's prefix) and username stay in the settings, so group mentions can be recognized. The worker
 * polls getUpdates (its schedule sweep picks a new channel up within a minute).
 */
import { z } from 'zod';
import { botIdOfToken, telegramCredentialsSchema, telegramSettingsSchema } from '../../../../connectors/telegram/settings';
import type { SecretBox } from '../../../crypto/secretBox';
import type { Tx } from '../../../db/client';
import { appendAudit } from '../../../db/repositories/audit.repo';
import { findChannelBySetting, insertMessagingChannel } from '../../../db/repositories/webhookInbox.repo';
import { Conflict } from '../../../errors';
import type { Actor } from '../../audit/actor';
import { parseInput } from '../../parseInput';
import { assertOutboundTargets } from '../outboundTargets';

export const telegramChannelSchema = z.object({
  name: z.string().trim().min(1).max(100),
  botToken: telegramCredentialsSchema.shape.botToken,
  botUsername: z.string().trim().transform((u) => u.replace(/^@/, '')).pipe(telegramSettingsSchema.shape.botUsername),
  apiBaseUrl: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).nullish(),
  longPollSeconds: z.coerce.number().int().min(0).max(50).nullish(),
  pollIntervalSeconds: z.coerce.number().int().min(1).max(86_400).default(5),
});
export type NewTelegramChannel = z.input<typeof telegramChannelSchema>;
export type CreatedTelegramChannel = { channelId: string; botId: string; botUsername: string; apiBaseUrl: string };

export async function createTelegramChannel(tx: Tx, secretBox: SecretBox, input: NewTelegramChannel, actor: Actor): Promise<CreatedTelegramChannel> {
  const v = parseInput(telegramChannelSchema, input, 'channel');
  await assertOutboundTargets({ apiBaseUrl: v.apiBaseUrl ? { url: v.apiBaseUrl } : null });
  const botId = botIdOfToken(v.botToken);
  if (await findChannelBySetting(tx, 'telegram', 'botId', botId)) throw new Conflict(`A Telegram channel for bot ${botId} already exists`, { fields: { botToken: 'taken' } });
  const settings = telegramSettingsSchema.parse({
    botId, botUsername: v.botUsername, ...(v.apiBaseUrl ? { apiBaseUrl: v.apiBaseUrl } : {}),
    ...(v.longPollSeconds !== null && v.longPollSeconds !== undefined ? { longPollSeconds: v.longPollSeconds } : { longPollSeconds: 10 }),
  });
  const channel = await insertMessagingChannel(tx, {
    kind: 'telegram', name: v.name, settings, pollIntervalSeconds: v.pollIntervalSeconds,
    credentialsEnc: secretBox.seal(JSON.stringify({ botToken: v.botToken })),
  });
  await appendAudit(tx, {
    actor, action: 'channel.created', subjectType: 'channel', subjectId: channel.id, channelId: channel.id,
    after: { kind: 'telegram', name: v.name, ...settings, pollIntervalSeconds: v.pollIntervalSeconds },
  });
  return { channelId: channel.id, botId, botUsername: settings.botUsername, apiBaseUrl: settings.apiBaseUrl };
}
