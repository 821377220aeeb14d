/** Manager reports in the console: SLA, response times, volume, backlog, people; drill-down; audited CSV exports. */
import { Router, type Request } from 'express';
import { z } from 'zod';
import { listReportChannels, listReportTopics } from '../../db/repositories/reports.repo';
import { listTeams } from '../../db/repositories/teams.repo';
import { userActor } from '../../domain/audit/actor';
import { parseInput } from '../../domain/parseInput';
import {
  buildBacklog,
  buildPeople,
  buildResponseTimes,
  buildSlaDrilldown,
  buildSlaReport,
  buildVolume,
  exportReport,
  previousPeriod,
} from '../../domain/reports/buildReports';
import { MAX_HOURLY_RANGE_DAYS, PRESETS } from '../../domain/reports/range';
import { buildChatReport, chatRangeProblem } from '../../domain/reports/chatServiceLevel';
import { buildSelfServiceReport } from '../../domain/reports/selfService';
import { listChatSites } from '../../db/repositories/chatSites.repo';
import { requirePermission } from '../../middleware/auth';
import type { Services } from '../../services';
import { drilldownQuery, REPORT_NAMES, reportQuery, resolvePageFilters, type ResolvedReportQuery } from '../api/reports.schema';
import { slaChannelViews } from '../../presenters/reports.presenter';
import type { Translate } from '../../i18n/translate';
import { renderPageOrFragment } from './render';
import { dateTimeFormat } from '../../domain/time/zonedTime';

/** The query string of the current filters (for links: exports, drill-down, other report pages). */
function filterQuery(q: ResolvedReportQuery, extra: Record<string, string> = {}): string {
  const p = new URLSearchParams({ from: q.fromDate, to: q.toDate, timeZone: q.timeZone, granularity: q.granularity, ...extra });
  if (q.channelId) p.set('channelId', q.channelId);
  if (q.topicId) p.set('topicId', q.topicId);
  if (q.teamId) p.set('teamId', q.teamId);
  return p.toString();
}

export function reportRoutes({ db }: Services): Router {
  const router = Router();
  router.use('/reports', requirePermission('reports.read'));

  async function common(req: Request, report: string) {
    const { q, coarsened, zones } = resolvePageFilters(req.query);
    const [channels, topics, teams] = await Promise.all([listReportChannels(db), listReportTopics(db), listTeams(db)]);
    return {
      q,
      channels,
      topics,
      teams,
      zones,
      presets: PRESETS,
      report,
      reportNames: REPORT_NAMES,
      coarsened,
      maxHourlyDays: MAX_HOURLY_RANGE_DAYS,
      query: filterQuery(q),
      exportUrl: `/reports/${report}/export.csv?${filterQuery(q)}`,
    };
  }

  /** The website chat's service level per site, for the SLA page's chat section (none outside the years chats can have). */
  async function chatSiteReports(q: ResolvedReportQuery, now: Date) {
    if (chatRangeProblem(q.from, q.to)) return [];
    const sites = await listChatSites(db);
    return Promise.all(sites.map((site) => buildChatReport(db, { ...q, siteId: site.id }, now)));
  }

  router.get('/reports', (_req, res) => res.redirect('/reports/sla'));

  router.get('/reports/sla', async (req, res) => {
    const base = await common(req, 'sla');
    const now = new Date();
    const [current, previous, chat, selfService] = await Promise.all([
      buildSlaReport(db, base.q, now),
      base.q.compare ? buildSlaReport(db, previousPeriod(base.q), now) : Promise.resolve(null),
      chatSiteReports(base.q, now),
      // bot first: the self-service figures beside the chat service level
      chatRangeProblem(base.q.from, base.q.to) ? Promise.resolve(null) : buildSelfServiceReport(db, base.q),
    ]);
    const t = res.locals.t as Translate;
    const drillBase = `/reports/sla/posts?${new URLSearchParams({ timeZone: base.q.timeZone, granularity: base.q.granularity, ...(base.q.topicId ? { topicId: base.q.topicId } : {}) })}`;
    const previousRange = base.q.compare ? previousPeriod(base.q) : null;
    renderPageOrFragment(req, res, 'reports-sla', 'partials/reports-sla-body', {
      ...base,
      title: t('reports.sla.title'),
      data: current,
      previous,
      chat,
      selfService,
      previousRange,
      views: slaChannelViews(
        current,
        previous,
        base.q.goal,
        drillBase,
        {
          goal: t('reports.goal', { goal: base.q.goal }),
          previous: t('reports.sla.previousLine'),
          pct: t('reports.col.pct'),
        },
        { fromDate: base.q.fromDate, toDate: base.q.toDate, previous: previousRange },
      ),
    });
  });

  router.get('/reports/sla/posts', async (req, res) => {
    const q = parseInput(drilldownQuery, req.query, 'filter');
    const [posts, channels] = await Promise.all([buildSlaDrilldown(db, q, new Date()), listReportChannels(db)]);
    res.render('reports-drilldown', {
      title: res.locals.t('reports.drill.title'),
      q,
      posts,
      channel: channels.find((c) => c.id === q.channelId) ?? null,
      // With the zone's abbreviation: on the night clocks go back, 02:30 CEST and 02:30 CET both happen.
      fmtZ: (d: Date) =>
        dateTimeFormat(res.locals.locale === 'de' ? 'de-DE' : 'en-GB', {
          day: 'numeric',
          month: 'short',
          year: 'numeric',
          hour: '2-digit',
          minute: '2-digit',
          timeZoneName: 'short',
          timeZone: q.timeZone,
        }).format(d),
      counts: {
        breached: posts.filter((p) => p.outcome === 'breached').length,
        open: posts.filter((p) => p.outcome === 'open').length,
        withinTarget: posts.filter((p) => p.outcome === 'withinTarget').length,
      },
    });
  });

  router.get('/reports/response-times', async (req, res) => {
    const base = await common(req, 'response-times');
    const data = await buildResponseTimes(db, base.q, new Date());
    renderPageOrFragment(req, res, 'reports-response-times', 'partials/reports-response-times-body', {
      ...base,
      title: res.locals.t('reports.rt.title'),
      data,
    });
  });

  router.get('/reports/volume', async (req, res) => {
    const base = await common(req, 'volume');
    const data = await buildVolume(db, base.q, new Date());
    renderPageOrFragment(req, res, 'reports-volume', 'partials/reports-volume-body', { ...base, title: res.locals.t('reports.volume.title'), data });
  });

  router.get('/reports/backlog', async (req, res) => {
    const base = await common(req, 'backlog');
    const data = await buildBacklog(db, base.q, new Date());
    renderPageOrFragment(req, res, 'reports-backlog', 'partials/reports-backlog-body', { ...base, title: res.locals.t('reports.backlog.title'), data });
  });

  router.get('/reports/people', async (req, res) => {
    const base = await common(req, 'people');
    const data = await buildPeople(db, base.q, new Date());
    renderPageOrFragment(req, res, 'reports-people', 'partials/reports-people-body', { ...base, title: res.locals.t('reports.people.title'), data });
  });

  router.get('/reports/:report/export.csv', async (req, res) => {
    const { report } = parseInput(z.object({ report: z.enum(REPORT_NAMES) }), req.params, 'report');
    const q = parseInput(reportQuery, req.query, 'filter');
    const { csv } = await exportReport(db, userActor(req.user!, req.ip), report, q, new Date());
    res.type('text/csv; charset=utf-8').attachment(`replyline-${report}-${q.fromDate}_${q.toDate}.csv`).send(csv);
  });

  return router;
}
