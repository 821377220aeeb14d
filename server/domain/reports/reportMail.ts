/**
 * Scheduled report e-mails. A person with access to the reports subscribes to a daily, weekly or monthly
 * summary (audited); the report-mail job sends each one that is due (reportPeriod.ts: the last complete
 * period, from the local send hour on) in the subscriber's language, with the figures of the reports
 * themselves (buildSlaReport, buildBacklog): service level per channel, volume, the backlog now, and the
 * channels with the most breaches. A period is claimed before sending, so it goes out once; a failed
 * send gives it back with the reason, and the next run tries again.
 */
import { z } from 'zod';
import type { SecretBox } from '../../crypto/secretBox';
import type { Db, Tx } from '../../db/client';
import { findAlertSettings } from '../../db/repositories/alerts.repo';
import { appendAudit } from '../../db/repositories/audit.repo';
import {
  allReportSubscriptions,
  claimReportPeriod,
  deleteReportSubscription,
  releaseReportPeriod,
  upsertReportSubscription,
} from '../../db/repositories/reportSubscriptions.repo';
import type { Locale, ReportFrequency } from '../../db/schema';
import { NotFound } from '../../errors';
import type { MessageKey } from '../../i18n/messages';
import { formatNumber, formatPercent, translator, type Translate } from '../../i18n/translate';
import { sendConsoleMail, smtpProblem } from '../alerts/alertMail';
import type { Actor } from '../audit/actor';
import { parseInput } from '../parseInput';
import { buildBacklog, buildSlaReport } from './buildReports';
import { isValidTimeZone, zonedToInstant, addDays } from './range';
import { duePeriod, lastCompletePeriod, type ReportPeriod } from './reportPeriod';

export const REPORT_FREQUENCIES = ['daily', 'weekly', 'monthly'] as const satisfies readonly ReportFrequency[];
const TOP_BREACHES = 3;

export const reportSubscriptionInput = z
  .object({
    frequency: z.enum(REPORT_FREQUENCIES),
    timeZone: z.string().max(64).refine(isValidTimeZone, 'not a known time zone').default('Europe/Berlin'),
    sendHour: z.number().int().min(0).max(23).default(7),
  })
  .strict();

type By = { actor: Actor; userId: string };

/** Subscribes (or changes the time zone and hour of) one summary; the first e-mail covers the next complete period. */
export async function subscribeReport(tx: Tx, raw: z.input<typeof reportSubscriptionInput>, by: By, now: Date) {
  const input = parseInput(reportSubscriptionInput, raw, 'report subscription');
  const row = await upsertReportSubscription(tx, { userId: by.userId, ...input, lastPeriod: lastCompletePeriod(input.frequency, input.timeZone, now).key });
  await appendAudit(tx, { actor: by.actor, action: 'report_subscription.created', subjectType: 'report_subscription', subjectId: row.id, after: input });
  return row;
}

export async function unsubscribeReport(tx: Tx, id: string, by: By) {
  const removed = await deleteReportSubscription(tx, id, by.userId);
  if (!removed) throw new NotFound('Report subscription');
  await appendAudit(tx, { actor: by.actor, action: 'report_subscription.deleted', subjectType: 'report_subscription', subjectId: id, before: removed });
  return { id, deleted: true as const };
}

export type ReportSummary = Awaited<ReturnType<typeof reportSummary>>;

/** The summary's figures for local days [fromDate, toDate] of a time zone, from the reports' own queries. */
export async function reportSummary(db: Db, period: Pick<ReportPeriod, 'fromDate' | 'toDate'>, timeZone: string, now: Date) {
  const params = {
    ...period,
    timeZone,
    granularity: 'day' as const,
    from: zonedToInstant(timeZone, period.fromDate),
    to: zonedToInstant(timeZone, addDays(period.toDate, 1)),
  };
  const [sla, backlog] = await Promise.all([buildSlaReport(db, params, now), buildBacklog(db, {}, now)]);
  const open = backlog.statuses.filter((s) => s.status === 'new' || s.status === 'assigned' || s.status === 'saved').reduce((n, s) => n + s.n, 0);
  return {
    channels: sla.channels.map((c) => ({
      name: c.channelName,
      inbound: c.totals.inbound,
      pctWithinTarget: c.totals.pctWithinTarget,
      breached: c.totals.breached,
    })),
    totals: sla.totals,
    backlog: open,
    topBreaches: sla.channels
      .filter((c) => c.totals.breached > 0)
      .sort((a, b) => b.totals.breached - a.totals.breached || a.channelName.localeCompare(b.channelName))
      .slice(0, TOP_BREACHES)
      .map((c) => ({ name: c.channelName, breached: c.totals.breached })),
  };
}

/** The e-mail in the reader's language: a subject with the period, then the figures as plain text. */
export function reportMailText(t: Translate, locale: Locale, frequency: ReportFrequency, period: ReportPeriod, s: ReportSummary, link: string) {
  const pct = (p: number | null) => (p === null ? '—' : formatPercent(locale, p));
  const range = period.fromDate === period.toDate ? period.fromDate : `${period.fromDate} – ${period.toDate}`;
  const lines = [
    t('reportMail.intro', { range }),
    '',
    t('reportMail.volume', { n: formatNumber(locale, s.totals.inbound) }),
    t('reportMail.sla', { pct: pct(s.totals.pctWithinTarget), breached: s.totals.breached }),
    t('reportMail.backlog', { n: formatNumber(locale, s.backlog) }),
    '',
    t('reportMail.perChannel'),
    ...(s.channels.length
      ? s.channels.map((c) => `- ${t('reportMail.channelLine', { name: c.name, pct: pct(c.pctWithinTarget), inbound: c.inbound, breached: c.breached })}`)
      : [`- ${t('reportMail.none')}`]),
    '',
    t('reportMail.topBreaches'),
    ...(s.topBreaches.length ? s.topBreaches.map((c) => `- ${t('reportMail.breachLine', { name: c.name, n: c.breached })}`) : [`- ${t('reportMail.none')}`]),
    '',
    link,
  ];
  return { subject: t(('reportMail.subject.' + frequency) as MessageKey, { range }), text: `${lines.join('\n')}\n` };
}

export type ReportMailDeps = { db: Db; secretBox: SecretBox; baseUrl: string };

/** Sends every summary that is due now; returns how many went out and how many failed. */
export async function sendDueReportMails(deps: ReportMailDeps, now: Date) {
  const subscriptions = await allReportSubscriptions(deps.db);
  const settings = await findAlertSettings(deps.db);
  let sent = 0;
  let failed = 0;
  for (const s of subscriptions) {
    const period = duePeriod(s, now);
    if (!period || !(await claimReportPeriod(deps.db, s.id, s.lastPeriod, period.key))) continue;
    const t = translator(s.locale);
    try {
      const summary = await reportSummary(deps.db, period, s.timeZone, now);
      const link = new URL(`/reports/sla?from=${period.fromDate}&to=${period.toDate}&timeZone=${encodeURIComponent(s.timeZone)}`, deps.baseUrl).toString();
      await sendConsoleMail(deps.secretBox, settings, { to: s.email, ...reportMailText(t, s.locale, s.frequency, period, summary, link) });
      sent++;
    } catch (err) {
      // the reason in the subscriber's words: their settings page shows it
      await releaseReportPeriod(deps.db, s.id, period.key, s.lastPeriod, smtpProblem(t, err, settings));
      failed++;
    }
  }
  return { sent, failed };
}
