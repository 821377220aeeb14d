/**
 * Alerts for integrations and browsers: rules (managers), the alerts and acknowledging them (audited), the
 * SMTP settings for alert e-mails, the VAPID public key and Web Push subscriptions.
 */
import { Router } from 'express';
import { z } from 'zod';
import { listAlertRules, listAlerts } from '../../db/repositories/alerts.repo';
import { userActor } from '../../domain/audit/actor';
import { acknowledgeAlert, alertRuleInput, createAlertRule } from '../../domain/alerts/alertRules';
import { alertSettingsInput, pushSubscriptionInput, saveSmtpSettings, subscribePush, vapidPublicKey } from '../../domain/alerts/alertSettings';
import { inTransaction } from '../../domain/effects';
import { parseInput } from '../../domain/parseInput';
import { requirePermission } from '../../middleware/auth';
import { pathId, uuidParam, validate } from '../../middleware/validate';
import type { Services } from '../../services';

const alertsQuery = z.object({ state: z.enum(['open', 'acknowledged']).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) });

export function alertApiRoutes({ db, dispatcher, secretBox, config }: Services): Router {
  const router = Router();
  router.param('id', uuidParam('Alert'));
  const manage = requirePermission('settings.manage');
  const by = (req: Parameters<Parameters<typeof router.get>[1]>[0]) => ({ actor: userActor(req.user!, req.ip), userId: req.user!.id });

  router.post('/alert-rules', manage, validate(alertRuleInput), async (req, res) => {
    res.status(201).json(await inTransaction(db, dispatcher, (tx) => createAlertRule(tx, res.locals.input, by(req))));
  });
  router.get('/alert-rules', manage, async (_req, res) => {
    res.json({ rules: await listAlertRules(db) });
  });

  router.get('/alerts', requirePermission('conversation.read'), async (req, res) => {
    const q = parseInput(alertsQuery, req.query, 'query');
    res.json({ alerts: await listAlerts(db, q) });
  });
  router.post('/alerts/:id/ack', requirePermission('conversation.read'), async (req, res) => {
    res.json(await inTransaction(db, dispatcher, (tx, effects) => acknowledgeAlert(tx, effects, pathId(req), by(req))));
  });

  router.put('/alert-settings', manage, validate(alertSettingsInput), async (req, res) => {
    res.json(await inTransaction(db, dispatcher, (tx) => saveSmtpSettings(tx, secretBox, res.locals.input, userActor(req.user!, req.ip))));
  });
  router.get('/push/vapid-public-key', async (_req, res) => {
    res.json({ publicKey: await vapidPublicKey(db, secretBox, `mailto:alerts@${new URL(config.baseUrl).hostname}`) });
  });
  router.post('/push-subscriptions', validate(pushSubscriptionInput), async (req, res) => {
    res.status(201).json(await inTransaction(db, dispatcher, (tx) => subscribePush(tx, res.locals.input, by(req))));
  });
  return router;
}
