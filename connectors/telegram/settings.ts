/** What a Telegram channel stores: the bot's identity and API base URL in plain sight, the bot token sealed. */
import { z } from 'zod';

export const DEFAULT_TELEGRAM_API_BASE_URL = 'https://api.telegram.org';

export const telegramSettingsSchema = z.object({
  apiBaseUrl: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .transform((u) => u.replace(/\/+$/, ''))
    .default(DEFAULT_TELEGRAM_API_BASE_URL),
  /** The bot's numeric id (the part of the token before ":"); one channel per bot. */
  botId: z.string().regex(/^\d{1,20}$/),
  /** The bot's username without "@": group messages count only when they mention it. */
  botUsername: z.string().regex(/^[A-Za-z0-9_]{5,32}$/, 'must be the bot\'s username (5–32 letters, digits, _), without "@"'),
  /** getUpdates long-poll timeout in seconds (0 = short polling). */
  longPollSeconds: z.number().int().min(0).max(50).default(25),
});
export type TelegramSettings = z.output<typeof telegramSettingsSchema>;

export const telegramCredentialsSchema = z.object({ botToken: z.string().regex(/^\d{1,20}:[A-Za-z0-9_-]{20,}$/, 'must be a bot token like 123456:ABC…') });

export const botIdOfToken = (token: string) => token.split(':')[0] ?? '';
