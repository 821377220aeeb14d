/**
 * Alert settings in the console (managers, admins): alert rules of every kind (create, edit, delete), the
 * SMTP server for alert and report e-mails (the password write-only) with a test e-mail, who is told where,
 * and one's own scheduled report e-mails. Every change is audited by its command.
 */
import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { listAlertRules, pushSubscriberCounts } from '../../db/repositories/alerts.repo';
import { listChannels } from '../../db/repositories/channels.repo';
import { listListeningQueries } from '../../db/repositories/listening.repo';
import { listReportTopics } from '../../db/repositories/reports.repo';
import { reportSubscriptionsOf } from '../../db/repositories/reportSubscriptions.repo';
import { listTeams } from '../../db/repositories/teams.repo';
import { sendTestMail } from '../../domain/alerts/alertMail';
import { ALERT_KINDS, alertRuleInput, createAlertRule, editAlertRule, removeAlertRule } from '../../domain/alerts/alertRules';
import { alertSettingsInput, saveSmtpSettings, smtpSettingsView } from '../../domain/alerts/alertSettings';
import { inTransaction } from '../../domain/effects';
import { REPORT_FREQUENCIES, reportSubscriptionInput, subscribeReport, unsubscribeReport } from '../../domain/reports/reportMail';
import { requirePermission } from '../../middleware/auth';
import { rerenderForm } from '../../middleware/errors';
import { isHtmx } from '../../middleware/htmx';
import { formList, pathId, uuidParam, validate } from '../../middleware/validate';
import { isAlertKind, RULE_FORMS, ruleFromForm, scopeParts, THRESHOLD_FIELDS } from '../../presenters/alertRule.presenter';
import type { Services } from '../../services';
import { actingUser } from '../actor';

const PAGE = '/settings/alerts';
const testMailForm = z.object({ to: z.email().max(255) });

/** The SMTP form: an empty password field keeps the stored one; "remove" clears it. */
const smtpForm = (req: Request) => {
  const b = req.body as Record<string, string | undefined>;
  return {
    smtpHost: b.smtpHost,
    smtpPort: b.smtpPort ? Number(b.smtpPort) : undefined,
    smtpSecure: b.smtpSecure === 'on',
    smtpUser: b.smtpUser || undefined,
    ...(b.removePassword === 'on' ? { smtpPassword: '' } : b.smtpPassword ? { smtpPassword: b.smtpPassword } : {}),
    mailFrom: b.mailFrom,
  };
};

const reportForm = (req: Request) => ({
  frequency: req.body.frequency,
  timeZone: req.body.timeZone,
  sendHour: req.body.sendHour ? Number(req.body.sendHour) : undefined,
});

export function alertSettingsRoutes(services: Services): Router {
  const { db, dispatcher, secretBox } = services;
  const router = Router();
  router.param('ruleId', uuidParam('Alert rule'));
  router.param('subscriptionId', uuidParam('Report subscription'));
  const manage = requirePermission('settings.manage');

  const page = async (req: Request, res: Response) => {
    const [rules, queries, channels, topics, teams, smtp, pushUsers, reports] = await Promise.all([
      listAlertRules(db),
      listListeningQueries(db),
      listChannels(db),
      listReportTopics(db),
      listTeams(db),
      smtpSettingsView(db),
      pushSubscriberCounts(db),
      reportSubscriptionsOf(db, req.user!.id),
    ]);
    const names = { queries, channels, topics, teams };
    const asked = typeof req.query.kind === 'string' ? req.query.kind : req.body?.kind;
    res.render('settings-alerts', {
      kinds: ALERT_KINDS,
      newKind: isAlertKind(asked) ? asked : 'volume_spike',
      ruleForms: RULE_FORMS,
      thresholdFields: THRESHOLD_FIELDS,
      rules: rules.map((r) => ({ ...r, scopeParts: scopeParts(r.scope, names) })),
      names,
      smtp,
      pushUsers,
      reports,
      frequencies: REPORT_FREQUENCIES,
      testResult: res.locals.testResult ?? null,
    });
  };
  const done = (anchor: string) => (_req: Request, res: Response) => res.redirect(303, `${PAGE}#${anchor}`);
  const by = (req: Request) => ({ actor: actingUser(req).actor, userId: req.user!.id });
  const ruleBody = (req: Request) => ruleFromForm(req.body, formList);

  router.get(PAGE, manage, (req, res) => page(req, res));

  router.post(`${PAGE}/rules`, manage, rerenderForm('rule-new', page), validate(alertRuleInput, ruleBody), async (req, res) => {
    const rule = await inTransaction(db, dispatcher, (tx) => createAlertRule(tx, res.locals.input, by(req)));
    done(`rule-${rule.id}`)(req, res);
  });
  router.post(
    `${PAGE}/rules/:ruleId`,
    manage,
    rerenderForm((req) => `rule-${pathId(req, 'ruleId')}`, page),
    validate(alertRuleInput, ruleBody),
    async (req, res) => {
      await inTransaction(db, dispatcher, (tx) => editAlertRule(tx, pathId(req, 'ruleId'), res.locals.input, by(req)));
      done(`rule-${pathId(req, 'ruleId')}`)(req, res);
    },
  );
  router.post(
    `${PAGE}/rules/:ruleId/delete`,
    manage,
    rerenderForm((req) => `rule-${pathId(req, 'ruleId')}`, page),
    async (req, res) => {
      await inTransaction(db, dispatcher, (tx) => removeAlertRule(tx, pathId(req, 'ruleId'), by(req)));
      done('rules')(req, res);
    },
  );

  router.post(`${PAGE}/smtp`, manage, rerenderForm('smtp', page, ['smtpPassword']), validate(alertSettingsInput, smtpForm), async (req, res) => {
    await inTransaction(db, dispatcher, (tx) => saveSmtpSettings(tx, secretBox, res.locals.input, actingUser(req).actor));
    done('smtp')(req, res);
  });
  // the test e-mail's outcome in words: the fragment for htmx, else the whole page with it
  router.post(`${PAGE}/smtp/test`, manage, rerenderForm('smtp-test', page), validate(testMailForm), async (req, res) => {
    const testResult = await sendTestMail(db, secretBox, res.locals.t, res.locals.input.to);
    if (isHtmx(req)) res.render('partials/alerts/test-mail-result', { testResult });
    else {
      Object.assign(res.locals, { testResult });
      await page(req, res);
    }
  });

  router.post(`${PAGE}/reports`, manage, rerenderForm('report-new', page), validate(reportSubscriptionInput, reportForm), async (req, res) => {
    await inTransaction(db, dispatcher, (tx) => subscribeReport(tx, res.locals.input, by(req), new Date()));
    done('reports')(req, res);
  });
  router.post(`${PAGE}/reports/:subscriptionId/delete`, manage, async (req, res) => {
    await inTransaction(db, dispatcher, (tx) => unsubscribeReport(tx, pathId(req, 'subscriptionId'), by(req)));
    done('reports')(req, res);
  });

  return router;
}
