/** GET /api/v1/notifications — the caller's notifications (reading them marks nothing). */
import { Router } from 'express';
import { listNotifications } from '../../db/repositories/notifications.repo';
import type { Services } from '../../services';

export function notificationApiRoutes({ db }: Services): Router {
  const router = Router();
  router.get('/notifications', async (req, res) => {
    res.json({ notifications: await listNotifications(db, req.user!.id) });
  });
  return router;
}
