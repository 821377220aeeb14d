/**
 * The WhatsApp Business Platform (Cloud API) connector. Inbound arrives by webhook (see
 * server/routes/webhooks/signedWebhook.routes.ts); outbound goes to POST {graphBaseUrl}/{phone-number-id}/messages.
 * Free text only within 24 hours of the customer's last message; templates any time. A customer with a
 * business-scoped user id is sent to by `recipient`, one known only by number by `to`.
 */
import { cleanContentType } from '../attachments';
import { errorForFailure } from '../httpErrors';
import { outbound, redirectNotFollowed, type OutboundResponse } from '../../server/net/outboundTarget';
import { AuthFailed, Permanent, RateLimited, Transient, type Connector, type ConnectorError } from '../types';
import { hubWebhookSide } from '../meta/hubWebhook';
import { BSUID, parseWhatsappPayload, phoneNumberIdsOf, readWhatsappPayload, whatsappEventsFor } from './normalize';
import {
  readWhatsappSettings,
  SERVICE_WINDOW_HOURS,
  templateSchema,
  whatsappCredentialsSchema,
  whatsappSettingsSchema,
  type WhatsappSettings,
} from './settings';
import { whatsappSetup } from './setup';

export const WHATSAPP_MAX_TEXT_LENGTH = 4096;
const TIMEOUT_MS = 15_000;

export const whatsappConnector: Connector<WhatsappSettings> = {
  kind: 'whatsapp',
  idempotentResend: false,
  setup: whatsappSetup,
  limits: () => ({ maxTextLength: WHATSAPP_MAX_TEXT_LENGTH, freeTextWindowHours: SERVICE_WINDOW_HOURS }),
  capabilities: {
    trackedSearches: false,
    credentials: null,
    accountFacts: () => [],
    moderation: [],
    privateReplies: false,
    publicPosts: false,
    botReplies: true,
    templates: {
      schema: templateSchema,
      read: (settings) => {
        const parsed = whatsappSettingsSchema.safeParse(settings);
        return parsed.success ? parsed.data.templates : [];
      },
      write: (settings, templates) => ({ ...readWhatsappSettings(settings), templates }),
    },
  },
  webhook: {
    ...hubWebhookSide((settings) => {
      const s = whatsappSettingsSchema.safeParse(settings);
      return s.success ? s.data.phoneNumberId : null;
    }),
    addressesOf(body) {
      const payload = parseWhatsappPayload(body);
      return payload && phoneNumberIdsOf(payload);
    },
    eventsFor(body, phoneNumberId) {
      const payload = parseWhatsappPayload(body);
      return payload ? whatsappEventsFor(payload, phoneNumberId) : 0;
    },
    read(channelId, phoneNumberId, body) {
      const payload = parseWhatsappPayload(body);
      return payload && readWhatsappPayload(channelId, phoneNumberId, payload);
    },
  },
  async testConnection(channel) {
    const settings = readWhatsappSettings(channel.settings);
    const credentials = whatsappCredentialsSchema.safeParse(channel.credentials);
    if (!credentials.success) throw new AuthFailed('This WhatsApp channel has no access token');
    const res = await getWithToken(
      `${settings.graphBaseUrl}/${settings.phoneNumberId}?fields=display_phone_number,verified_name`,
      credentials.data.accessToken,
    );
    const answer = parseGraphAnswer(res.text) as (GraphAnswer & { display_phone_number?: unknown; verified_name?: unknown }) | null;
    if (res.status < 200 || res.status >= 300) throw graphError(res.status, answer, Number(res.headers['retry-after']) || undefined);
    if (!answer) throw new Permanent(`The Graph API base URL answered HTTP ${res.status} with a body that is not JSON; check the Graph API base URL`);
    return `WhatsApp answered: phone number ${String(answer.display_phone_number ?? settings.phoneNumberId)} (${String(answer.verified_name ?? 'no verified name')})`;
  },

  /** GET /{media-id} names a short-lived URL (and the size); that URL answers the bytes to the same token. */
  async fetchMedia(channel, mediaId, maxBytes) {
    const settings = readWhatsappSettings(channel.settings);
    const credentials = whatsappCredentialsSchema.safeParse(channel.credentials);
    if (!credentials.success) throw new AuthFailed('This WhatsApp channel has no access token');
    const token = credentials.data.accessToken;
    const res = await getWithToken(`${settings.graphBaseUrl}/${encodeURIComponent(mediaId)}`, token);
    const answer = parseGraphAnswer(res.text) as (GraphAnswer & { url?: unknown; mime_type?: unknown; file_size?: unknown }) | null;
    if (res.status < 200 || res.status >= 300) throw graphError(res.status, answer, Number(res.headers['retry-after']) || undefined);
    if (typeof answer?.url !== 'string') throw new Transient('The Graph API named no URL for this media');
    if (typeof answer.file_size === 'number' && answer.file_size > maxBytes) throw new Permanent(`The media is larger than ${maxBytes} bytes`);
    const file = await getWithToken(answer.url, token, maxBytes);
    if (file.status < 200 || file.status >= 300) throw graphError(file.status, null);
    if (file.truncated) throw new Permanent(`The media is larger than ${maxBytes} bytes`);
    return { content: file.body, contentType: cleanContentType(typeof answer.mime_type === 'string' ? answer.mime_type : file.headers['content-type']) };
  },

  async sendReply(channel, reply) {
    const settings = readWhatsappSettings(channel.settings);
    const credentials = whatsappCredentialsSchema.safeParse(channel.credentials);
    if (!credentials.success) throw new AuthFailed('This WhatsApp channel has no access token');
    const customer = reply.recipientExternalId;
    if (!customer) throw new Permanent('The customer has no WhatsApp identity on this channel');
    // A customer known by a business-scoped user id (the number hidden or not) is addressed by it.
    const address = BSUID.test(customer) ? { recipient: customer } : { to: customer };
    const body = reply.template
      ? {
          messaging_product: 'whatsapp',
          recipient_type: 'individual',
          ...address,
          type: 'template',
          template: { name: reply.template.name, language: { code: reply.template.language } },
        }
      : {
          messaging_product: 'whatsapp',
          recipient_type: 'individual',
          ...address,
          type: 'text',
          text: { body: reply.text, preview_url: false },
          ...(reply.inReplyToExternalId ? { context: { message_id: reply.inReplyToExternalId } } : {}),
        };
    let res: OutboundResponse;
    try {
      res = await outbound().request(`${settings.graphBaseUrl}/${settings.phoneNumberId}/messages`, {
        method: 'POST',
        body: JSON.stringify(body),
        timeoutMs: TIMEOUT_MS,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${credentials.data.accessToken}` },
      });
    } catch (err) {
      throw errorForFailure(err);
    }
    const answer = parseGraphAnswer(res.text);
    if (res.status >= 300 && res.status < 400) throw redirectNotFollowed(res.status, res.headers.location);
    if (res.status < 200 || res.status >= 300) throw graphError(res.status, answer, Number(res.headers['retry-after']) || undefined);
    // Sent is sent: a 2xx JSON answer means Meta took the message; without an id it is stored without one,
    // never sent twice. A 2xx that is not JSON came from something in between (a proxy's page): retried.
    if (!answer) throw new Transient(`The Graph API answered HTTP ${res.status} with a body that is not JSON`);
    const id = answer.messages?.[0]?.id;
    return { externalId: typeof id === 'string' && id ? id : null, url: null };
  },
};

/** A GET to the Graph API (or a media URL it named) with the channel's token; a redirect is refused, not followed. */
async function getWithToken(url: string, token: string, maxBytes?: number): Promise<OutboundResponse> {
  let res: OutboundResponse;
  try {
    res = await outbound().request(url, { method: 'GET', timeoutMs: TIMEOUT_MS, maxBytes, headers: { authorization: `Bearer ${token}` } });
  } catch (err) {
    throw errorForFailure(err);
  }
  if (res.status >= 300 && res.status < 400) throw redirectNotFollowed(res.status, res.headers.location);
  return res;
}

function parseGraphAnswer(text: string): GraphAnswer | null {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' ? (v as GraphAnswer) : null;
  } catch {
    return null;
  }
}

type GraphAnswer = {
  messages?: { id?: unknown }[];
  error?: { message?: string; code?: number; error_subcode?: number; error_data?: { details?: string } };
};

/** Graph API error codes → our kinds (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes). */
export function graphError(status: number, answer: GraphAnswer | null, retryAfterSeconds?: number): ConnectorError {
  const e = answer?.error;
  const code = e?.code;
  const detail = e?.error_data?.details ?? e?.message ?? '';
  const message = `WhatsApp ${code ?? `HTTP ${status}`}: ${detail}`.slice(0, 400).trim();
  const retryAt = new Date(Date.now() + (retryAfterSeconds ?? 60) * 1000);
  if (code === 131047) return new Permanent(`More than 24 hours since the customer's last message; send an approved template instead (${message})`);
  // 4 / 80007: app or account call limits; 130429: throughput; 131056: too many messages to one customer.
  if (code === 4 || code === 80007 || code === 130429 || code === 131056 || status === 429) return new RateLimited(message, retryAt);
  if (code === 190 || status === 401 || status === 403) return new AuthFailed(message);
  if (code === 131000 || code === 131016 || code === 2 || status >= 500 || status === 408) return new Transient(message);
  return new Permanent(message);
}
