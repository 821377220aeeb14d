/**
 * The API channel: a custom source that posts messages to us over HTTP and receives our replies on its
 * webhook, signed with HMAC-SHA256 over the raw body so the receiver can trust them.
 */
import { createHmac } from 'node:crypto';
import { errorForFailure, errorForStatus } from '../httpErrors';
import { outbound, redirectNotFollowed, type OutboundResponse } from '../../server/net/outboundTarget';
import { Permanent, PLAIN_CAPABILITIES, type Connector } from '../types';

export const SIGNATURE_HEADER = 'x-replyline-signature';
const TIMEOUT_MS = 10_000;

export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export const apiConnector: Connector = {
  kind: 'api',
  // Every attempt carries the reply's id as Idempotency-Key: the receiver drops a repeat.
  idempotentResend: true,
  limits: () => ({ maxTextLength: 10_000 }),
  capabilities: PLAIN_CAPABILITIES,
  /** A signed `ping` event to the webhook (the receiver may ignore it): whether replies would reach it. */
  async testConnection(channel) {
    if (!channel.webhookUrl) throw new Permanent('This API channel has no webhook URL, so replies cannot be delivered');
    const secret = channel.credentials.webhookSecret;
    if (!secret) throw new Permanent('This API channel has no webhook secret');
    const body = JSON.stringify({ event: 'ping', channelId: channel.id });
    let res: OutboundResponse;
    try {
      res = await outbound().request(channel.webhookUrl, {
        method: 'POST',
        body,
        timeoutMs: TIMEOUT_MS,
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(secret, body) },
      });
    } catch (err) {
      throw errorForFailure(err);
    }
    if (res.status >= 300 && res.status < 400) throw redirectNotFollowed(res.status, res.headers.location);
    if (res.status < 200 || res.status >= 300) throw errorForStatus(res.status, res.text);
    return `The webhook answered HTTP ${res.status} to a signed ping`;
  },

  async sendReply(channel, reply) {
    if (!channel.webhookUrl) throw new Permanent('This API channel has no webhook URL for replies');
    const secret = channel.credentials.webhookSecret;
    if (!secret) throw new Permanent('This API channel has no webhook secret');
    const body = JSON.stringify({
      event: 'reply',
      messageId: reply.messageId,
      conversationId: reply.conversationId,
      caseNumber: reply.caseNumber,
      inReplyToExternalId: reply.inReplyToExternalId,
      text: reply.text,
    });
    let res: OutboundResponse;
    try {
      res = await outbound().request(channel.webhookUrl, {
        method: 'POST',
        body,
        timeoutMs: TIMEOUT_MS,
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(secret, body), 'idempotency-key': reply.messageId },
      });
    } catch (err) {
      throw errorForFailure(err);
    }
    if (res.status >= 300 && res.status < 400) throw redirectNotFollowed(res.status, res.headers.location);
    if (res.status < 200 || res.status >= 300) throw errorForStatus(res.status, res.text, Number(res.headers['retry-after']) || undefined);
    const parsed = safeJson(res.text);
    return { externalId: typeof parsed?.id === 'string' ? parsed.id : null, url: typeof parsed?.url === 'string' ? parsed.url : null };
  },
};

function safeJson(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
