/**
 * The monitoring dashboard (managers, auditors, admins): one listening query, one channel or all channels
 * over a period — volume per bucket with its negative posts, against the previous period, top terms and
 * hashtags; the posts behind any bucket; the figures as CSV (audited, the API's format).
 */
import { Router } from 'express';
import { z } from 'zod';
import { listListeningQueries } from '../../db/repositories/listening.repo';
import { listReportChannels } from '../../db/repositories/reports.repo';
import type { Db } from '../../db/client';
import { userActor } from '../../domain/audit/actor';
import { exportMonitoringCsv, monitoringPosts, monitoringReport } from '../../domain/listening/monitoringReport';
import { parseInput } from '../../domain/parseInput';
import { MAX_HOURLY_RANGE_DAYS, PRESETS, previousPeriodDates } from '../../domain/reports/range';
import { dateTimeFormat } from '../../domain/time/zonedTime';
import { NotFound } from '../../errors';
import type { Translate } from '../../i18n/translate';
import { requirePermission } from '../../middleware/auth';
import { bucketLabel, monitoringView } from '../../presenters/monitoring.presenter';
import type { Services } from '../../services';
import { drilldownQuery, reportQuery, resolvePageFilters } from '../api/reports.schema';
import { monitoringSubject, volumeSubjectOf } from './monitoringSubject';
import { renderPageOrFragment } from './render';

const subjectQuery = z.object({ subject: monitoringSubject });
const drillQuery = drilldownQuery
  .pick({ bucket: true, granularity: true, timeZone: true })
  .extend({ subject: monitoringSubject, from: z.iso.date().optional(), to: z.iso.date().optional() });

/** The selector's choices, and what the chosen subject is called; an unknown query or channel names nothing. */
async function subjectChoices(db: Db, subject: string, t: Translate) {
  const [queries, channels] = await Promise.all([listListeningQueries(db), listReportChannels(db)]);
  const volume = volumeSubjectOf(subject);
  const name =
    'queryId' in volume
      ? queries.find((x) => x.id === volume.queryId)?.name
      : volume.channelId
        ? channels.find((c) => c.id === volume.channelId)?.name
        : t('monitoring.allChannels');
  if (name === undefined) throw new NotFound('queryId' in volume ? 'Listening query' : 'Channel');
  return { queries, channels, volume, name };
}

export function monitoringDashboardRoutes({ db }: Services): Router {
  const router = Router();
  const read = requirePermission('reports.read');

  router.get('/monitoring', read, async (req, res) => {
    const { subject } = parseInput(subjectQuery, req.query, 'filter');
    const { q, coarsened, zones } = resolvePageFilters(req.query);
    const t = res.locals.t;
    const choices = await subjectChoices(db, subject, t);
    const report = await monitoringReport(db, choices.volume, q);
    const filters = new URLSearchParams({ subject, from: q.fromDate, to: q.toDate, granularity: q.granularity, timeZone: q.timeZone });
    const view = monitoringView(report, q, (bucket) => `/monitoring/posts?${filters}&bucket=${encodeURIComponent(bucket)}`, res.locals.locale, t);
    renderPageOrFragment(req, res, 'monitoring', 'partials/monitoring/dashboard-body', {
      title: t('monitoring.title'),
      ...choices,
      subject,
      q,
      coarsened,
      zones,
      presets: PRESETS,
      maxHourlyDays: MAX_HOURLY_RANGE_DAYS,
      report,
      view,
      exportUrl: `/monitoring/export.csv?${filters}`,
      pngName: `replyline-monitoring-${q.fromDate}_${q.toDate}.png`,
      previousDates: previousPeriodDates(q.fromDate, q.toDate),
      dayLabel: (date: string) => bucketLabel(date, 'day', res.locals.locale, t),
      // The page asks the browser for its time zone only when none was chosen (a link, a bookmark).
      zoneChosen: typeof req.query.timeZone === 'string',
    });
  });

  router.get('/monitoring/posts', read, async (req, res) => {
    const q = parseInput(drillQuery, req.query, 'filter');
    const t = res.locals.t;
    const { volume, name } = await subjectChoices(db, q.subject, t);
    const posts = await monitoringPosts(db, volume, q);
    const back = new URLSearchParams({
      subject: q.subject,
      granularity: q.granularity,
      timeZone: q.timeZone,
      ...(q.from && q.to ? { from: q.from, to: q.to } : {}),
    });
    res.render('monitoring-posts', {
      title: t('monitoring.drill.title'),
      q,
      name,
      bucket: bucketLabel(q.bucket, q.granularity, res.locals.locale, t),
      posts,
      backUrl: `/monitoring?${back}`,
      fmtZ: (d: Date) =>
        dateTimeFormat(res.locals.locale === 'de' ? 'de-DE' : 'en-GB', {
          day: '2-digit',
          month: '2-digit',
          year: 'numeric',
          hour: '2-digit',
          minute: '2-digit',
          timeZoneName: 'short',
          timeZone: q.timeZone,
        }).format(d),
    });
  });

  router.get('/monitoring/export.csv', read, async (req, res) => {
    const { subject } = parseInput(subjectQuery, req.query, 'filter');
    const q = parseInput(reportQuery, req.query, 'filter');
    const { volume } = await subjectChoices(db, subject, res.locals.t);
    const csv = await exportMonitoringCsv(db, userActor(req.user!, req.ip), volume, q);
    res.type('text/csv; charset=utf-8').attachment(`replyline-monitoring-${q.fromDate}_${q.toDate}.csv`).send(csv);
  });

  return router;
}
