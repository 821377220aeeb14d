/** The one Meta webhook endpoint for every Facebook page and Instagram account, routed by entry[].id (see ../webhooks/signedWebhook.ts). */
import type { WebhookEndpoint } from '../webhooks/signedWebhook';

/** The callback URL a manager enters in the Meta app for the Page and Instagram webhooks. */
export const META_WEBHOOK_PATH = '/webhooks/meta';

/** Meta retries a delivery with the same body: a retry is stored once. */
export const META_WEBHOOK: WebhookEndpoint = {
  path: META_WEBHOOK_PATH,
  kinds: ['facebook', 'instagram'],
  routedBy: 'page or account ids',
  inboxKind: 'meta',
  dedupe: true,
};
