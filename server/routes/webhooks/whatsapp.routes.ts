/**
 * WhatsApp Cloud API webhooks (mounted before sessions and CSRF; Meta signs the raw body instead).
 *
 * GET  /webhooks/whatsapp  verification handshake: hub.mode=subscribe and a channel's verify token → the challenge; else 403.
 * POST /webhooks/whatsapp  signed delivery: bad/missing X-Hub-Signature-256 → 401, body over 1 MB → 413, not JSON (or
 *                          holding a NUL or a lone surrogate, which PostgreSQL cannot store) → 400,
 *                          else stored durably and answered 200 at once; a job ingests it.
 *
 * Unknown phone number ids (a validly signed delivery for a number no channel has) are logged and
 * answered 200: Meta retries every non-200 answer with backoff for days and flags the webhook as failing,
 * and no retry can fix a number that is simply not connected here.
 */
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { HttpError } from '../../errors';
import { receiveWhatsappWebhook, verifyWhatsappSubscription, whatsappWebhookSide } from '../../domain/channels/whatsapp/whatsappWebhook';
import type { Services } from '../../services';

export const WHATSAPP_WEBHOOK_LIMIT = '1mb';

export function whatsappWebhookRoutes({ db, dispatcher, secretBox, connectors }: Services): Router {
  const router = Router();
  const { signatureHeader } = whatsappWebhookSide(connectors);

  router.get('/', async (req, res) => {
    const challenge = await verifyWhatsappSubscription({ db, secretBox, connectors }, req.query);
    if (challenge === null) {
      req.log.warn({ ip: req.ip }, 'whatsapp webhook verification refused');
      return void res.status(403).type('text/plain').send('verification failed');
    }
    res.status(200).type('text/plain').send(challenge);
  });

  router.post('/', express.raw({ type: () => true, limit: WHATSAPP_WEBHOOK_LIMIT }), async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const receipt = await receiveWhatsappWebhook({ db, dispatcher, secretBox, connectors }, raw, req.get(signatureHeader));
    if (receipt.unknownPhoneNumberIds.length) {
      req.log.warn({ phoneNumberIds: receipt.unknownPhoneNumberIds }, 'whatsapp webhook for unknown phone number ids; not stored');
    }
    if (receipt.ignored) req.log.info('whatsapp webhook with another object type ignored');
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
          ? `The body is larger than ${WHATSAPP_WEBHOOK_LIMIT}`
          : status < 500
            ? 'The request could not be read'
            : 'Internal error';
    if (status >= 500) req.log.error({ err: e.message, path: req.path }, 'whatsapp webhook failed');
    else req.log.warn({ status, reason: message, ip: req.ip }, 'whatsapp webhook refused');
    res.status(status).json({ error: message });
  });
  return router;
}
