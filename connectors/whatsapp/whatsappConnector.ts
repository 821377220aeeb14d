/**
 * The WhatsApp Business Platform (Cloud API) connector. Inbound arrives by webhook (see
 * server/routes/webhooks/whatsapp.routes.ts); outbound goes to POST {graphBaseUrl}/{phone-number-id}/messages.
 * Free text only within 24 hours of the customer's last message; templates any time.
 */
import { errorForFailure } from '../httpErrors';
import { AuthFailed, Permanent, RateLimited, Transient, type Connector, type ConnectorError } from '../types';
import { parseWhatsappPayload, phoneNumberIdsOf, readWhatsappPayload } from './normalize';
import { readWhatsappSettings, SERVICE_WINDOW_HOURS, templateSchema, whatsappCredentialsSchema, whatsappSettingsSchema } from './settings';
import { signatureMatches, WHATSAPP_SIGNATURE_HEADER } from './signature';

export const WHATSAPP_MAX_TEXT_LENGTH = 4096;
const TIMEOUT_MS = 15_000;

export const whatsappConnector: Connector = {
  kind: 'whatsapp',
  limits: () => ({ maxTextLength: WHATSAPP_MAX_TEXT_LENGTH, freeTextWindowHours: SERVICE_WINDOW_HOURS }),
  capabilities: {
    trackedSearches: false, credentials: null, accountFacts: () => [],
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
    signatureHeader: WHATSAPP_SIGNATURE_HEADER,
    signatureMatches,
    identity(settings, credentials) {
      const s = whatsappSettingsSchema.safeParse(settings);
      const c = whatsappCredentialsSchema.safeParse(credentials);
      return s.success && c.success ? { address: s.data.phoneNumberId, signingSecret: c.data.appSecret, verifyToken: c.data.verifyToken } : null;
    },
    addressOf(settings) {
      const s = whatsappSettingsSchema.safeParse(settings);
      return s.success ? s.data.phoneNumberId : null;
    },
    addressesOf(body) {
      const payload = parseWhatsappPayload(body);
      return payload && phoneNumberIdsOf(payload);
    },
    read(channelId, phoneNumberId, body) {
      const payload = parseWhatsappPayload(body);
      return payload && readWhatsappPayload(channelId, phoneNumberId, payload);
    },
  },
  async sendReply(channel, reply) {
    const settings = readWhatsappSettings(channel.settings);
    const credentials = whatsappCredentialsSchema.safeParse(channel.credentials);
    if (!credentials.success) throw new AuthFailed('This WhatsApp channel has no access token');
    const to = reply.recipientExternalId;
    if (!to) throw new Permanent('The customer has no WhatsApp number on this channel');
    const body = reply.template
      ? { messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'template', template: { name: reply.template.name, language: { code: reply.template.language } } }
      : {
        messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'text', text: { body: reply.text, preview_url: false },
        ...(reply.inReplyToExternalId ? { context: { message_id: reply.inReplyToExternalId } } : {}),
      };
    let res: Response;
    try {
      res = await fetch(`${settings.graphBaseUrl}/${settings.phoneNumberId}/messages`, {
        method: 'POST', body: JSON.stringify(body), signal: AbortSignal.timeout(TIMEOUT_MS),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${credentials.data.accessToken}` },
      });
    } catch (err) {
      throw errorForFailure(err);
    }
    const answer = await res.json().catch(() => null) as GraphAnswer | null;
    if (!res.ok) throw graphError(res.status, answer, Number(res.headers.get('retry-after')) || undefined);
    const id = answer?.messages?.[0]?.id;
    if (typeof id !== 'string') throw new Transient('The Graph API answered without a message id');
    return { externalId: id, url: null };
  },
};

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
