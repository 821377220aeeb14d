/**
 * Connecting a Telegram bot. The bot token is sealed in the channel's credentials; the bot id (the
 * token's prefix) and username stay in the settings, so group mentions can be recognized; one channel
 * per bot. The worker polls getUpdates (its schedule sweep picks a new channel up within a minute).
 */
import { z } from 'zod';
import type { ChannelSetup } from '../types';
import { botIdOfToken, telegramCredentialsSchema, telegramSettingsSchema, type TelegramSettings } from './settings';

export const telegramSetup = z
  .object({
    name: z.string().trim().min(1).max(100),
    botToken: telegramCredentialsSchema.shape.botToken,
    botUsername: z
      .string()
      .trim()
      .transform((u) => u.replace(/^@/, ''))
      .pipe(telegramSettingsSchema.shape.botUsername),
    apiBaseUrl: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).nullish(),
    longPollSeconds: z.coerce.number().int().min(0).max(50).nullish(),
    pollIntervalSeconds: z.coerce.number().int().min(1).max(86_400).default(5),
  })
  .transform((v) => {
    const botId = botIdOfToken(v.botToken);
    return {
      name: v.name,
      settings: telegramSettingsSchema.parse({
        botId,
        botUsername: v.botUsername,
        ...(v.apiBaseUrl ? { apiBaseUrl: v.apiBaseUrl } : {}),
        ...(v.longPollSeconds !== null && v.longPollSeconds !== undefined ? { longPollSeconds: v.longPollSeconds } : { longPollSeconds: 10 }),
      }),
      credentials: { botToken: v.botToken },
      outboundTargets: { apiBaseUrl: v.apiBaseUrl ? { url: v.apiBaseUrl } : null },
      pollIntervalSeconds: v.pollIntervalSeconds,
      unique: { setting: 'botId', value: botId, field: 'botToken', message: `A Telegram channel for bot ${botId} already exists` },
    };
  }) satisfies ChannelSetup<TelegramSettings>;
