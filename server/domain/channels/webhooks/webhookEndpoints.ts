/** Every signed webhook endpoint (mounted by server/app.ts), and where the sender must deliver a channel kind's events. */
import type { ChannelKind } from '../../../db/schema';
import { META_WEBHOOK } from '../meta/metaWebhook';
import { WHATSAPP_WEBHOOK } from '../whatsapp/whatsappWebhook';
import { X_WEBHOOK } from '../x/xWebhook';
import type { WebhookEndpoint } from './signedWebhook';

export const WEBHOOK_ENDPOINTS: readonly WebhookEndpoint[] = [WHATSAPP_WEBHOOK, META_WEBHOOK, X_WEBHOOK];

/** The callback URL a manager enters at the sender for channels of this kind; null for kinds without a webhook. */
export function callbackUrlOf(baseUrl: string, kind: ChannelKind): string | null {
  const endpoint = WEBHOOK_ENDPOINTS.find((e) => e.kinds.includes(kind));
  return endpoint ? `${baseUrl}${endpoint.path}` : null;
}
