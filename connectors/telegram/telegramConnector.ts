/**
 * The Telegram Bot API connector. Inbound by getUpdates long polling: the cursor is the next offset
 * (last update_id + 1), stored by the poll job only after the items are committed — and only the next
 * getUpdates with that offset confirms the earlier updates to Telegram, so nothing is lost on a crash.
 * Outbound: sendMessage threaded to the customer's message with reply_parameters.
 */
import { cleanContentType } from '../attachments';
import { errorForFailure } from '../httpErrors';
import { outbound, redirectNotFollowed, type OutboundResponse } from '../../server/net/outboundTarget';
import { AuthFailed, Permanent, PLAIN_CAPABILITIES, RateLimited, Transient, type Connector, type ConnectorError } from '../types';
import { parseExternalId, readUpdates, telegramExternalId } from './normalize';
import { telegramCredentialsSchema, telegramSettingsSchema, type TelegramSettings } from './settings';
import { telegramSetup } from './setup';

export const TELEGRAM_MAX_TEXT_LENGTH = 4096;
const BATCH = 100;

type BotAnswer = { ok: boolean; result?: unknown; error_code?: number; description?: string; parameters?: { retry_after?: number } };

/**
 * One Bot API call. `sending`: the call delivers something to a person (sendMessage), so any 2xx with a
 * JSON answer that is not an explicit refusal (ok: false) counts as done, with or without a message id —
 * asking again could deliver it twice. A 2xx that is not JSON at all did not come from the Bot API (a
 * captive portal, a proxy's page) and is retried.
 */
async function call(settings: TelegramSettings, token: string, method: string, body: object, timeoutMs: number, sending = false): Promise<unknown> {
  let res: OutboundResponse;
  try {
    res = await outbound().request(`${settings.apiBaseUrl}/bot${token}/${method}`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
      timeoutMs,
    });
  } catch (err) {
    throw errorForFailure(err);
  }
  const answer = parseAnswer(res.text);
  const ok = res.status >= 200 && res.status < 300;
  if (ok && answer?.ok) return answer.result;
  if (ok && sending && answer && answer.ok !== false) return answer.result ?? null;
  // A 2xx that is no Bot API answer came from something in between (a proxy, a captive portal): try again later.
  if (ok && typeof answer?.ok !== 'boolean') throw new Transient(`Telegram ${method} answered HTTP ${res.status} with a body that is not a Bot API answer`);
  if (res.status >= 300 && res.status < 400) throw redirectNotFollowed(res.status, res.headers.location);
  throw botError(answer?.error_code ?? res.status, answer?.description ?? `HTTP ${res.status}`, answer?.parameters?.retry_after);
}

function parseAnswer(text: string): BotAnswer | null {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' ? (v as BotAnswer) : null;
  } catch {
    return null;
  }
}

export function botError(code: number, description: string, retryAfter?: number): ConnectorError {
  const message = `Telegram ${code}: ${description}`.slice(0, 400);
  if (code === 429) return new RateLimited(message, new Date(Date.now() + (retryAfter ?? 30) * 1000));
  // 401: token revoked; 404 on every method: the token names no bot.
  if (code === 401 || code === 404) return new AuthFailed(message);
  if (code >= 500) return new Transient(message);
  // 400 (chat not found, message too long), 403 (the user blocked the bot), 409 (a webhook is set).
  return new Permanent(message);
}

function unpack(channel: { settings: unknown; credentials: Record<string, string> }) {
  const settings = telegramSettingsSchema.parse(channel.settings);
  const creds = telegramCredentialsSchema.safeParse(channel.credentials);
  if (!creds.success) throw new AuthFailed('This Telegram channel has no bot token');
  return { settings, token: creds.data.botToken };
}

export const telegramConnector: Connector<TelegramSettings> = {
  kind: 'telegram',
  idempotentResend: false,
  setup: telegramSetup,
  limits: () => ({ maxTextLength: TELEGRAM_MAX_TEXT_LENGTH }),
  capabilities: { ...PLAIN_CAPABILITIES, botReplies: true },

  async fetchSince(channel, cursor) {
    const { settings, token } = unpack(channel);
    const offset = cursor.channel && /^\d+$/.test(cursor.channel) ? Number(cursor.channel) : undefined;
    const updates = await call(
      settings,
      token,
      'getUpdates',
      {
        ...(offset !== undefined ? { offset } : {}),
        limit: BATCH,
        timeout: settings.longPollSeconds,
        allowed_updates: ['message'],
      },
      (settings.longPollSeconds + 15) * 1000,
    );
    if (!Array.isArray(updates)) throw new Transient('getUpdates answered without a list');
    const read = readUpdates(channel.id, { id: settings.botId, username: settings.botUsername }, updates);
    return {
      items: read.items,
      skipped: read.skipped,
      nextCursor: { channel: read.maxUpdateId !== null ? String(read.maxUpdateId + 1) : cursor.channel, topics: cursor.topics },
    };
  },

  async testConnection(channel) {
    const { settings, token } = unpack(channel);
    const me = (await call(settings, token, 'getMe', {}, 15_000)) as { id?: unknown; username?: unknown } | null;
    return `Telegram answered: the token belongs to bot @${String(me?.username ?? '?')} (id ${String(me?.id ?? '?')})`;
  },

  /** getFile names the file's path (and size); the bytes come from {apiBaseUrl}/file/bot{token}/{path}. */
  async fetchMedia(channel, fileId, maxBytes) {
    const { settings, token } = unpack(channel);
    const file = (await call(settings, token, 'getFile', { file_id: fileId }, 15_000)) as { file_path?: unknown; file_size?: unknown } | null;
    if (typeof file?.file_path !== 'string') throw new Permanent('Telegram named no file path (files over 20 MB cannot be fetched by bots)');
    if (typeof file.file_size === 'number' && file.file_size > maxBytes) throw new Permanent(`The file is larger than ${maxBytes} bytes`);
    let res: OutboundResponse;
    try {
      res = await outbound().request(`${settings.apiBaseUrl}/file/bot${token}/${file.file_path.split('/').map(encodeURIComponent).join('/')}`, {
        method: 'GET',
        timeoutMs: 30_000,
        maxBytes,
      });
    } catch (err) {
      throw errorForFailure(err);
    }
    if (res.status >= 300 && res.status < 400) throw redirectNotFollowed(res.status, res.headers.location);
    if (res.status < 200 || res.status >= 300) throw botError(res.status, `file download answered HTTP ${res.status}`);
    if (res.truncated) throw new Permanent(`The file is larger than ${maxBytes} bytes`);
    return { content: res.body, contentType: cleanContentType(res.headers['content-type']) };
  },

  async sendReply(channel, reply) {
    const { settings, token } = unpack(channel);
    const target = reply.inReplyToExternalId ? parseExternalId(reply.inReplyToExternalId) : null;
    const chatId = target?.chatId ?? reply.recipientExternalId;
    if (!chatId) throw new Permanent('No Telegram chat to answer in');
    const result = (await call(
      settings,
      token,
      'sendMessage',
      {
        chat_id: chatId,
        text: reply.text,
        ...(target ? { reply_parameters: { message_id: target.messageId, allow_sending_without_reply: true } } : {}),
      },
      15_000,
      true,
    )) as { message_id?: unknown; chat?: { id?: unknown } } | null;
    // Sent is sent: without a message id the reply is stored without one, never sent a second time.
    const sentId = typeof result?.message_id === 'number' ? result.message_id : null;
    const sentChat = typeof result?.chat?.id === 'number' ? result.chat.id : chatId;
    return { externalId: sentId !== null ? telegramExternalId(sentChat, sentId) : null, url: null };
  },
};
