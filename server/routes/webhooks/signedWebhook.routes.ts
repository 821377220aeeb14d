/**
 * A signed webhook endpoint (WhatsApp at /webhooks/whatsapp; Facebook pages and Instagram at /webhooks/meta; X
 * accounts in webhook mode at /webhooks/x), mounted before sessions and CSRF; the sender signs the raw body instead.
 *
 * GET   handshake: Meta's hub.mode=subscribe with a channel's verify token → the challenge as text; X's
 *       crc_token → {"response_token": "sha256=…"}; else 403.
 * POST  signed delivery: bad/missing signature (X-Hub-Signature-256, x-twitter-webhooks-signature) → 401, body
 *       over 1 MB → 413, not JSON (or holding a NUL or a lone surrogate, which PostgreSQL cannot store) → 400,
 *       else stored durably (with the deliveries of concurrent requests, one transaction) and answered 200 after the
 *       commit; a drain-webhooks job ingests them.
 *
 * Unknown addresses (a validly signed delivery for a number, page or account no channel has) are logged and
 * answered 200: senders retry every non-200 answer and flag the webhook as failing, and no retry can fix an
 * account that is simply not connected here.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { createInboxGroups } from '../../domain/channels/webhooks/inboxGroups';
import { answerHandshake, receiveSignedWebhook, type WebhookEndpoint } from '../../domain/channels/webhooks/signedWebhook';
import { createSignerCopies, readSigners, webhookSideOf } from '../../domain/channels/webhooks/webhookSigners';
import { HttpError, ServiceUnavailable } from '../../errors';
import type { Services } from '../../services';

export const WEBHOOK_BODY_LIMIT = '1mb';

export function signedWebhookRoutes({ db, dispatcher, secretBox, connectors }: Services, endpoint: WebhookEndpoint): Router {
  const router = Router();
  const label = endpoint.inboxKind;
  const { signatureHeader } = webhookSideOf(connectors, endpoint.kinds[0]!);
  const inbox = createInboxGroups({ db, dispatcher, secretBox, connectors });
  const signers = createSignerCopies(() => readSigners({ db, secretBox, connectors }, endpoint.kinds));

  router.get('/', async (req, res) => {
    const answer = await answerHandshake({ db, secretBox, connectors }, endpoint.kinds, req.query);
    if (answer === null) {
      req.log.warn({ ip: req.ip }, `${label} webhook verification refused`);
      return void res.status(403).type('text/plain').send('verification failed');
    }
    if ('json' in answer) res.status(200).json(answer.json);
    else res.status(200).type('text/plain').send(answer.text);
  });

  router.post('/', express.raw({ type: () => true, limit: WEBHOOK_BODY_LIMIT }), async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const receipt = await receiveSignedWebhook({ connectors, signers, inbox }, endpoint, raw, req.get(signatureHeader));
    if (receipt.unknownAddresses.length) {
      req.log.warn({ [endpoint.routedBy]: receipt.unknownAddresses }, `${label} webhook for unknown ${endpoint.routedBy}; not stored`);
    }
    if (receipt.repeated) req.log.info({ repeated: receipt.repeated }, `${label} webhook delivery repeated; stored once`);
    if (receipt.ignored) req.log.info(`${label} webhook with another object type ignored`);
    res.status(200).json({ received: receipt.stored.length });
  });

  // Answers in JSON with the right status; body-parser errors carry a type (entity.too.large → 413).
  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const e = err as { status?: number; type?: string; message?: string };
    const status = err instanceof HttpError ? err.status : e.type === 'entity.too.large' ? 413 : e.status && e.status < 500 ? e.status : 500;
    const message =
      err instanceof HttpError
        ? err.message
        : status === 413
          ? `The body is larger than ${WEBHOOK_BODY_LIMIT}`
          : status < 500
            ? 'The request could not be read'
            : 'Internal error';
    if (err instanceof ServiceUnavailable) res.set('Retry-After', String(err.retryAfterSeconds));
    if (status >= 500) req.log.error({ err: e.message, path: req.path }, `${label} webhook failed`);
    else req.log.warn({ status, reason: message, ip: req.ip }, `${label} webhook refused`);
    res.status(status).json({ error: message });
  });
  return router;
}
