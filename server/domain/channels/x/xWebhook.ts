/** X's Account Activity webhook for every X channel in webhook mode, routed by for_user_id (see ../webhooks/signedWebhook.ts). */
import type { WebhookEndpoint } from '../webhooks/signedWebhook';

/** X retries a delivery it got no 200 for: a retry is stored once. */
export const X_WEBHOOK: WebhookEndpoint = { path: '/webhooks/x', kinds: ['x'], routedBy: 'account ids (for_user_id)', inboxKind: 'x', dedupe: true };
