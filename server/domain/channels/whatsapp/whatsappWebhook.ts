/** WhatsApp's signed webhook endpoint: its channels, routed by phone number id (see ../webhooks/signedWebhook.ts). */
import type { WebhookEndpoint } from '../webhooks/signedWebhook';

/** Where Meta delivers the webhooks of every WhatsApp channel (the callback URL a manager enters in the Meta app). */
export const WHATSAPP_WEBHOOK_PATH = '/webhooks/whatsapp';

export const WHATSAPP_WEBHOOK: WebhookEndpoint = {
  path: WHATSAPP_WEBHOOK_PATH,
  kinds: ['whatsapp'],
  routedBy: 'phone number ids',
  inboxKind: 'whatsapp',
  dedupe: false,
};
