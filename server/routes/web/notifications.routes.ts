/**
 * Notifications: the bell in the top bar (refreshed by the page's live stream), the list, and marking them
 * read — a POST, so that looking at the list changes nothing. The list's page also turns Web Push on and
 * off for this browser (static/push.js): the VAPID public key, then the browser's subscription (audited).
 */
import { Router, type Request } from 'express';
import { countUnread, listNotifications, markAllRead } from '../../db/repositories/notifications.repo';
import { pushSubscriptionInput, pushUnsubscriptionInput, subscribePush, unsubscribePush, vapidPublicKey } from '../../domain/alerts/alertSettings';
import { alertText } from '../../domain/alerts/alertText';
import { inTransaction } from '../../domain/effects';
import { validate } from '../../middleware/validate';
import type { Services } from '../../services';
import { actingUser } from '../actor';

/** The subscription as static/push.js posts it (a form: endpoint, p256dh, auth). */
const subscriptionForm = (req: Request) => ({ endpoint: req.body.endpoint, keys: { p256dh: req.body.p256dh, auth: req.body.auth } });

export function notificationRoutes({ db, dispatcher, secretBox, config }: Services): Router {
  const router = Router();
  const by = (req: Request) => ({ actor: actingUser(req).actor, userId: req.user!.id });

  router.get('/notifications/bell', async (req, res) => {
    res.render('partials/notifications/bell', { unread: await countUnread(db, req.user!.id) });
  });

  router.get('/notifications', async (req, res) => {
    const rows = await listNotifications(db, req.user!.id);
    const { t } = res.locals;
    const notifications = rows.map((n) => ({
      ...n,
      alert:
        n.alertKind && n.alertDetails
          ? {
              ...alertText(t, req.user!.locale, { kind: n.alertKind, details: n.alertDetails, occurrences: n.alertOccurrences ?? 1 }),
              link: n.alertLink,
              state: n.alertState,
            }
          : null,
    }));
    res.render('notifications', { notifications });
  });

  router.post('/notifications/read', async (req, res) => {
    await markAllRead(db, req.user!.id);
    res.redirect(303, '/notifications');
  });

  router.get('/push/vapid-public-key', async (_req, res) => {
    res.json({ publicKey: await vapidPublicKey(db, secretBox, config.baseUrl) });
  });
  router.post('/push-subscriptions', validate(pushSubscriptionInput, subscriptionForm), async (req, res) => {
    res.status(201).json(await inTransaction(db, dispatcher, (tx) => subscribePush(tx, res.locals.input, by(req))));
  });
  router.post(
    '/push-subscriptions/remove',
    validate(pushUnsubscriptionInput, (req) => ({ endpoint: req.body.endpoint })),
    async (req, res) => {
      res.json(await inTransaction(db, dispatcher, (tx) => unsubscribePush(tx, res.locals.input, by(req))));
    },
  );

  return router;
}
