/**
 * Alerts for integrations and browsers: rules (managers), the alerts and acknowledging them (audited), the
 * SMTP settings for alert e-mails, the VAPID public key and Web Push subscriptions.
 */
import { Router } from 'express';
import { z } from 'zod';
import { listAlertRules, listAlerts } from '../../db/repositories/alerts.repo';
import { userActor } from '../../domain/audit/actor';
import { sendTestMail } from '../../domain/alerts/alertMail';
import { acknowledgeAlert, alertRuleInput, createAlertRule, editAlertRule, removeAlertRule } from '../../domain/alerts/alertRules';
import {
  alertSettingsInput,
  pushSubscriptionInput,
  pushUnsubscriptionInput,
  saveSmtpSettings,
  smtpSettingsView,
  subscribePush,
  unsubscribePush,
  vapidPublicKey,
} from '../../domain/alerts/alertSettings';
import { inTransaction } from '../../domain/effects';
import { parseInput } from '../../domain/parseInput';
import { translator } from '../../i18n/translate';
import { requirePermission } from '../../middleware/auth';
import { pathId, uuidParam, validate } from '../../middleware/validate';
import type { Services } from '../../services';

const testMailInput = z.object({ to: z.email().max(255).optional() }).strict();
const alertsQuery = z.object({ state: z.enum(['open', 'acknowledged']).optional(), limit: z.coerce.number().int().min(1).max(200).default(50) });

export function alertApiRoutes({ db, dispatcher, secretBox, config }: Services): Router {
  const router = Router();
  router.param('id', uuidParam('Alert'));
  router.param('ruleId', uuidParam('Alert rule'));
  const manage = requirePermission('settings.manage');
  const by = (req: Parameters<Parameters<typeof router.get>[1]>[0]) => ({ actor: userActor(req.user!, req.ip), userId: req.user!.id });

  router.post('/alert-rules', manage, validate(alertRuleInput), async (req, res) => {
    res.status(201).json(await inTransaction(db, dispatcher, (tx) => createAlertRule(tx, res.locals.input, by(req))));
  });
  router.get('/alert-rules', manage, async (_req, res) => {
    res.json({ rules: await listAlertRules(db) });
  });
  router.put('/alert-rules/:ruleId', manage, validate(alertRuleInput), async (req, res) => {
    res.json(await inTransaction(db, dispatcher, (tx) => editAlertRule(tx, pathId(req, 'ruleId'), res.locals.input, by(req))));
  });
  router.delete('/alert-rules/:ruleId', manage, async (req, res) => {
    res.json(await inTransaction(db, dispatcher, (tx) => removeAlertRule(tx, pathId(req, 'ruleId'), by(req))));
  });

  router.get('/alerts', requirePermission('conversation.read'), async (req, res) => {
    const q = parseInput(alertsQuery, req.query, 'query');
    res.json({ alerts: await listAlerts(db, q) });
  });
  router.post('/alerts/:id/ack', requirePermission('conversation.read'), async (req, res) => {
    res.json(await inTransaction(db, dispatcher, (tx, effects) => acknowledgeAlert(tx, effects, pathId(req), by(req))));
  });

  router.get('/alert-settings', manage, async (_req, res) => {
    res.json(await smtpSettingsView(db));
  });
  // a test e-mail to the given address (default: the caller's own): 200 when sent, 422 with the reason in the caller's language
  router.post('/alert-settings/test', manage, validate(testMailInput), async (req, res) => {
    const r = await sendTestMail(db, secretBox, translator(req.user!.locale), res.locals.input.to ?? req.user!.email);
    res.status(r.sent ? 200 : 422).json(r);
  });
  router.put('/alert-settings', manage, validate(alertSettingsInput), async (req, res) => {
    res.json(await inTransaction(db, dispatcher, (tx) => saveSmtpSettings(tx, secretBox, res.locals.input, userActor(req.user!, req.ip))));
  });
  router.get('/push/vapid-public-key', async (_req, res) => {
    res.json({ publicKey: await vapidPublicKey(db, secretBox, config.baseUrl) });
  });
  router.post('/push-subscriptions', validate(pushSubscriptionInput), async (req, res) => {
    res.status(201).json(await inTransaction(db, dispatcher, (tx) => subscribePush(tx, res.locals.input, by(req))));
  });
  router.delete('/push-subscriptions', validate(pushUnsubscriptionInput), async (req, res) => {
    res.json(await inTransaction(db, dispatcher, (tx) => unsubscribePush(tx, res.locals.input, by(req))));
  });
  return router;
}
