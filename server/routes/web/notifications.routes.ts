/**
 * Notifications: the bell in the top bar (refreshed by the page's live stream), the list, and marking them
 * read — a POST, so that looking at the list changes nothing.
 */
import { Router } from 'express';
import { countUnread, listNotifications, markAllRead } from '../../db/repositories/notifications.repo';
import { alertText } from '../../domain/alerts/alertText';
import type { Services } from '../../services';

export function notificationRoutes({ db }: Services): Router {
  const router = Router();

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

  return router;
}
